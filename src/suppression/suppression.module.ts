import { Module } from '@nestjs/common';
import { SuppressionList } from './suppression-list';
import { SuppressionScreen } from './suppression-screen';

/** The suppression lists, shared by intake, provider events and delivery. */
@Module({
  providers: [SuppressionList, SuppressionScreen],
  exports: [SuppressionList, SuppressionScreen],
})
export class SuppressionModule {}
