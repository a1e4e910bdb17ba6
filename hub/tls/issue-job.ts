// One certificate to make, as plain data (it crosses into a worker thread and back): the hub CA,
// or a leaf for the hub's names signed by it.
import { createCa, type HubCa } from './ca.js';
import { type HubLeaf, issueLeaf, type LeafNames } from './leaf.js';

export type IssueJob =
  | { kind: 'ca'; host?: string; now: number }
  | { kind: 'leaf'; ca: HubCa; names: LeafNames; now: number };

export type IssueResult<J extends IssueJob> = J extends { kind: 'ca' } ? HubCa : HubLeaf;

export async function runIssueJob(job: IssueJob): Promise<HubCa | HubLeaf> {
  const now = new Date(job.now);
  if (job.kind === 'leaf') return issueLeaf(job.ca, job.names, now);
  return createCa(job.host === undefined ? { now } : { host: job.host, now });
}
