import Fastify from 'fastify';
import { readFileSync } from 'node:fs';

/**
 * The yardstick for the API benchmark: a bare Fastify route returning the same JSON document as
 * `GET /v2/apps/{id}` does, with no database, validation or framework around it.
 */
async function main(): Promise<void> {
  const [port, file] = process.argv.slice(2);
  const body: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const app = Fastify({ logger: false });
  app.get('/v2/apps/*', async () => body);
  app.get('/ping', async () => 'pong');
  await app.listen({ port: Number(port), host: '127.0.0.1' });
}

void main();
