import { Logger as NestLogger } from '@nestjs/common';
import { type Logger, LogLevel } from '@slack/web-api';

/**
 * Routes @slack/web-api's logging through Nest's logger instead of the console. Its debug
 * lines carry request bodies, so they are dropped whatever the level; its warnings about a
 * failed request only repeat what the channel's ChannelError says, so they go to debug.
 */
export class SlackLogger implements Logger {
  private readonly logger = new NestLogger('SlackWebClient');

  debug(): void {}

  info(...msg: unknown[]): void {
    this.logger.debug(msg.map(String).join(' '));
  }

  warn(...msg: unknown[]): void {
    this.logger.debug(msg.map(String).join(' '));
  }

  error(...msg: unknown[]): void {
    this.logger.warn(msg.map(String).join(' '));
  }

  setLevel(): void {}

  getLevel(): LogLevel {
    return LogLevel.INFO;
  }

  setName(): void {}
}
