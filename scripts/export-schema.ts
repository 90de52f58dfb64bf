/**
 * Writes schemas/notification.schema.json from the zod message schema with the default limits
 * (`npm run schema:export`). A unit spec fails when the committed file differs.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'prettier';
import { notificationJsonSchema } from '../src/notifications/notification-json-schema';
import { DEFAULT_MESSAGE_LIMITS } from '../src/notifications/notification-message.schema';

const SCHEMA_FILE = join(__dirname, '..', 'schemas', 'notification.schema.json');

async function main(): Promise<void> {
  const json = JSON.stringify(notificationJsonSchema(DEFAULT_MESSAGE_LIMITS), null, 2);
  // Formatted as `prettier --check` expects, so the generated file passes `npm run lint`.
  writeFileSync(SCHEMA_FILE, await format(json, { filepath: SCHEMA_FILE }));
  console.log(`wrote ${SCHEMA_FILE}`);
}

void main();
