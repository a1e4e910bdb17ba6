import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './hub/store/schema/index.ts',
  out: './drizzle',
  casing: 'snake_case',
});
