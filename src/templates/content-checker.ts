import type { ChannelKind } from '../config/config.schema';
import type { FieldProblem } from '../errors/herald-error';
import {
  fieldProblems,
  type MessageLimits,
  notificationSchemas,
} from '../notifications/notification-message.schema';

/** Checks rendered content; returns its problems, empty when it passes. */
export type ContentChecker = (
  channel: ChannelKind,
  content: Record<string, unknown>,
) => FieldProblem[];

/**
 * Rendered content is held to the very field rules a message with content meets (subject
 * length and line, body bytes, SMS length, block count): a template cannot smuggle past them.
 */
export function contentChecker(limits: MessageLimits): ContentChecker {
  const schemas = notificationSchemas(limits).renderedContent;
  return (channel, content) => {
    const result = schemas[channel].safeParse(content);
    return result.success ? [] : fieldProblems(result.error, content);
  };
}
