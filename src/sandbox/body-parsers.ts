import formbody from '@fastify/formbody';
import multipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Largest body the simulator reads, in bytes: above every provider's own limit that matters here. */
const BODY_LIMIT_BYTES = 32 * 1024 * 1024;

const rawBodies = new WeakMap<FastifyRequest, Buffer>();

/** The bytes of a JSON body as received: SigV4 signs them, not the parsed object. */
export function rawBodyOf(request: FastifyRequest): Buffer {
  return rawBodies.get(request) ?? Buffer.alloc(0);
}

/**
 * The three body formats the providers' SDKs send: JSON (SendGrid, SES, control API),
 * form (Twilio, Slack) and multipart (Mailgun). Multipart files are captured as their
 * name, type and size only, to keep memory bounded.
 */
export async function registerBodyParsers(app: FastifyInstance): Promise<void> {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: BODY_LIMIT_BYTES },
    (request, body: Buffer, done) => {
      rawBodies.set(request, body);
      if (body.length === 0) return done(null, {});
      try {
        done(null, JSON.parse(body.toString('utf8')) as unknown);
      } catch (err) {
        (err as { statusCode?: number }).statusCode = 400;
        done(err as Error, undefined);
      }
    },
  );
  await app.register(formbody, { bodyLimit: BODY_LIMIT_BYTES });
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    // Mailgun takes 1,000 recipients, each may be its own `to` part: above busboy's 1,000.
    limits: { fileSize: BODY_LIMIT_BYTES, fieldSize: BODY_LIMIT_BYTES, parts: 10_000 },
    onFile: async (part: MultipartFile) => {
      let size = 0;
      for await (const chunk of part.file) size += (chunk as Buffer).length;
      (part as MultipartFile & { value: unknown }).value = {
        filename: part.filename,
        contentType: part.mimetype,
        size,
      };
    },
  });
}
