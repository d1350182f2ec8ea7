import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildOpenApiDocument, createApp } from '../src/bootstrap';
import { loadConfig } from '../src/config/app-config';

/** Recursively sorts object keys so the committed spec diffs cleanly. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/**
 * `npm run sync:openapi` writes openapi/openapi.json from the code; `--check` fails when the
 * committed file differs (CI runs it). No database is needed.
 */
async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const app = await createApp(loadConfig({ PACER_ADVERTISED_ADDRESS: 'localhost:8080' }), { connectDatabase: false, logger: false });
  const text = `${JSON.stringify(sortKeys(buildOpenApiDocument(app)), null, 2)}\n`;
  await app.close();
  const file = path.join(__dirname, '..', '..', 'openapi', 'openapi.json');
  if (check) {
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      current = '';
    }
    if (current !== text) {
      console.error('openapi/openapi.json is stale: run `npm run sync:openapi` and commit the result');
      process.exit(1);
    }
    console.log('openapi/openapi.json is current');
    return;
  }
  writeFileSync(file, text);
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
