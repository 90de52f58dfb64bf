import { Module } from '@nestjs/common';
import { SandboxService } from './sandbox.service';

/** The embedded provider simulator of sandbox mode (see {@link SandboxService}). */
@Module({ providers: [SandboxService], exports: [SandboxService] })
export class SandboxModule {}
