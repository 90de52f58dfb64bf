import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { SNS_PATH, type SnsTopic } from './sns-topic';

const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

const xml = (reply: FastifyReply, status: number, body: string) =>
  reply.status(status).type('text/xml').send(`<?xml version="1.0"?>\n${body}\n`);

const snsError = (reply: FastifyReply, status: number, code: string, message: string) =>
  xml(
    reply,
    status,
    `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  );

/**
 * The URLs SNS puts in its messages, served by the simulator as SNS serves them:
 *
 * - `GET /_sandbox/sns/SimpleNotificationService-<id>.pem`: the signing certificate
 *   (`SigningCertURL`).
 * - `GET /_sandbox/sns?Action=ConfirmSubscription&TopicArn=&Token=`: the `SubscribeURL`;
 *   confirms the subscription and answers `ConfirmSubscriptionResponse` XML.
 * - `GET /_sandbox/sns?Action=Unsubscribe&SubscriptionArn=`: the `UnsubscribeURL`.
 */
export function registerSnsRoutes(app: FastifyInstance, topic: SnsTopic): void {
  app.get<{ Params: { file: string } }>(`${SNS_PATH}/:file`, async (request, reply) => {
    if (request.params.file !== topic.certFile) {
      return reply.status(404).type('text/plain').send('Not Found');
    }
    const { certificate } = await topic.signingKey();
    return reply.type('application/x-x509-ca-cert').send(certificate);
  });

  app.get<{ Querystring: Record<string, string | undefined> }>(SNS_PATH, async (request, reply) => {
    const { Action, TopicArn, Token, SubscriptionArn } = request.query;
    const requestId = `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>`;
    switch (Action) {
      case 'ConfirmSubscription': {
        const subscription = topic.confirm(TopicArn, Token);
        if (!subscription) return snsError(reply, 400, 'InvalidParameter', 'Invalid token');
        return xml(
          reply,
          200,
          `<ConfirmSubscriptionResponse xmlns="${XMLNS}"><ConfirmSubscriptionResult><SubscriptionArn>${subscription.arn}</SubscriptionArn></ConfirmSubscriptionResult>${requestId}</ConfirmSubscriptionResponse>`,
        );
      }
      case 'Unsubscribe':
        if (!topic.unsubscribe(SubscriptionArn)) {
          return snsError(reply, 404, 'NotFound', 'Subscription does not exist');
        }
        return xml(
          reply,
          200,
          `<UnsubscribeResponse xmlns="${XMLNS}">${requestId}</UnsubscribeResponse>`,
        );
      default:
        return snsError(reply, 400, 'InvalidAction', `Could not find operation ${String(Action)}`);
    }
  });
}
