import { Module } from '@nestjs/common';
import { IdempotencyStore } from './idempotency.store';

/** Idempotency keys in Redis, shared by REST intake and queue intake. */
@Module({ providers: [IdempotencyStore], exports: [IdempotencyStore] })
export class IdempotencyModule {}
