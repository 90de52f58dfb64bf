import { Module } from '@nestjs/common';
import { SuppressionList } from './suppression-list';

/** The suppression lists, shared by intake, provider events and delivery. */
@Module({ providers: [SuppressionList], exports: [SuppressionList] })
export class SuppressionModule {}
