import { type DestinationStream, destination } from 'pino';
import { PinoPretty } from 'pino-pretty';

/**
 * Where logs go: JSON lines on standard output for collectors, or readable colored lines when
 * a person watches a terminal. Both write synchronously, so lines keep their order and the
 * last ones before an exit are not lost.
 */
export function logDestination(terminal: boolean): DestinationStream {
  if (!terminal) return destination({ dest: 1, sync: true });
  return PinoPretty({
    colorize: true,
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service,role',
    singleLine: true,
  });
}
