// Moved to hub/drills (drills and benches share it); kept while bench files migrate.
export * from '../../hub/drills/hub-process.js';
