import { HeraldError } from '../../src/errors/herald-error';
import { fingerprint } from '../../src/idempotency/canonical-json';
import { IdempotencyStore } from '../../src/idempotency/idempotency.store';
import { NotificationAcceptance } from '../../src/notifications/notification-acceptance';
import { NotificationRecordsRepository } from '../../src/notifications/notification-records.repository';
import { type RunningHerald, startReadyHerald, testEnv } from '../support/herald';
import { EMAIL, SMS, post } from './notification-requests';

/** The error a promise rejects with, to assert on its code and message. */
async function failure(work: Promise<unknown>): Promise<HeraldError> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HeraldError);
  return err as HeraldError;
}

describe(NotificationAcceptance.name, () => {
  let herald: RunningHerald;
  let intake: NotificationAcceptance;
  let records: NotificationRecordsRepository;
  let n = 0;
  const jobId = () => `job-${++n}-${Date.now()}`;

  beforeAll(async () => {
    herald = await startReadyHerald(
      testEnv({ HERALD_ROLE: 'api', HERALD_QUEUE_NAME: 'producers-queue' }),
    );
    intake = herald.app.get(NotificationAcceptance);
    records = herald.app.get(NotificationRecordsRepository);
  });
  afterAll(() => herald.close());

  describe('acceptJob', () => {
    describe('with a valid job', () => {
      it('accepts it: a queued record owned by the queue, with the message to send', async () => {
        const acceptance = await intake.acceptJob(EMAIL, jobId());
        expect(acceptance).toEqual({ kind: 'accepted', id: expect.any(String) });
        const id = (acceptance as { id: string }).id;
        expect(await records.get(id)).toMatchObject({
          id,
          caller: 'queue:producers-queue',
          channel: 'email',
          to: 'a***@example.com',
          status: 'queued',
        });
        expect(await records.getMessage(id)).toEqual(EMAIL);
      });

      it('keeps idempotencyKey out of the stored message', async () => {
        const acceptance = await intake.acceptJob({ ...SMS, idempotencyKey: 'k-1' }, jobId());
        expect(await records.getMessage((acceptance as { id: string }).id)).toEqual(SMS);
      });
    });

    describe('when the same job runs again (a worker crashed mid-delivery)', () => {
      it('accepts it again with the same notification id', async () => {
        const id = jobId();
        const first = await intake.acceptJob(SMS, id);
        const again = await intake.acceptJob(SMS, id);
        expect(again).toEqual(first);
      });

      it('finishes an acceptance the crash interrupted, with the id it had claimed', async () => {
        const id = jobId();
        const claimed = 'c1a1c1a1-0000-4000-8000-000000000000';
        await herald.app.get(IdempotencyStore).begin({
          scope: 'queue-job:producers-queue',
          key: id,
          fingerprint: fingerprint(SMS),
          owner: id,
          id: claimed,
        });
        expect(await intake.acceptJob(SMS, id)).toEqual({ kind: 'accepted', id: claimed });
        expect(await records.get(claimed)).toMatchObject({ status: 'queued' });
        expect(await intake.acceptJob(SMS, id)).toEqual({ kind: 'accepted', id: claimed });
      });
    });

    describe('when another job already used its idempotencyKey', () => {
      it('answers replayed with the first notification id', async () => {
        const job = { ...SMS, idempotencyKey: `welcome-${jobId()}` };
        const first = await intake.acceptJob(job, jobId());
        const second = await intake.acceptJob(job, jobId());
        expect(second).toEqual({ kind: 'replayed', id: (first as { id: string }).id });
      });

      it('refuses another body with idempotency_key_reused', async () => {
        const key = `welcome-${jobId()}`;
        await intake.acceptJob({ ...SMS, idempotencyKey: key }, jobId());
        const err = await failure(
          intake.acceptJob({ ...SMS, text: 'other', idempotencyKey: key }, jobId()),
        );
        expect(err.code).toBe('idempotency_key_reused');
      });

      it('answers in_flight while the first job is still being accepted', async () => {
        const key = `welcome-${jobId()}`;
        await herald.app.get(IdempotencyStore).begin({
          scope: 'queue:producers-queue',
          key,
          fingerprint: fingerprint(SMS),
          owner: 'another-job',
          id: 'c1a1c1a1-0000-4000-8000-000000000001',
        });
        expect(await intake.acceptJob({ ...SMS, idempotencyKey: key }, jobId())).toEqual({
          kind: 'in_flight',
        });
      });
    });

    describe('when the job reuses a jobId that once carried another message', () => {
      it('refuses it, as a reused key', async () => {
        const id = jobId();
        await intake.acceptJob(SMS, id);
        const err = await failure(intake.acceptJob({ ...SMS, text: 'different' }, id));
        expect(err.code).toBe('idempotency_key_reused');
      });
    });

    describe('with invalid data', () => {
      it('throws validation_failed whose message names every bad field', async () => {
        const err = await failure(
          intake.acceptJob({ channel: 'sms', to: '12345', text: '', extra: 1 }, jobId()),
        );
        expect(err.code).toBe('validation_failed');
        expect(err.message).toBe('Invalid fields: to, text, extra.');
        expect(err.extra.errors?.map((e) => e.field)).toEqual(['to', 'text', 'extra']);
      });

      it.each([[null], ['a string'], [[SMS]], [42]])(
        'throws validation_failed for %j',
        async (data) => {
          expect((await failure(intake.acceptJob(data, jobId()))).code).toBe('validation_failed');
        },
      );

      it('throws validation_failed for a bad idempotencyKey', async () => {
        const err = await failure(intake.acceptJob({ ...SMS, idempotencyKey: '' }, jobId()));
        expect(err.extra.errors?.map((e) => e.field)).toEqual(['idempotencyKey']);
      });
    });
  });

  describe('REST and queue keys', () => {
    it('live in separate scopes: the same key on both doors makes two notifications', async () => {
      const key = `both-${jobId()}`;
      const rest = await post(`${herald.url}/v1/notifications`, SMS, { 'idempotency-key': key });
      const job = await intake.acceptJob({ ...SMS, idempotencyKey: key }, jobId());
      expect(job).toEqual({ kind: 'accepted', id: expect.any(String) });
      expect((job as { id: string }).id).not.toBe(rest.body.id);
    });
  });
});

describe(`${NotificationAcceptance.name} when a channel has no provider`, () => {
  let herald: RunningHerald;
  beforeAll(async () => {
    herald = await startReadyHerald(
      testEnv({
        HERALD_ROLE: 'api',
        HERALD_SANDBOX: 'false',
        SENDGRID_API_KEY: 'SG.only-sendgrid-is-configured',
        HERALD_EMAIL_FROM: 'ops@example.com',
      }),
    );
  });
  afterAll(() => herald.close());

  it('acceptJob throws channel_not_configured', async () => {
    const err = await failure(herald.app.get(NotificationAcceptance).acceptJob(SMS, 'j-1'));
    expect(err.code).toBe('channel_not_configured');
  });

  it('acceptJob refuses providers outside the configured order', async () => {
    const err = await failure(
      herald.app.get(NotificationAcceptance).acceptJob({ ...EMAIL, providers: ['mailgun'] }, 'j-2'),
    );
    expect(err.code).toBe('validation_failed');
    expect(err.message).toBe('Invalid field: providers.');
  });
});
