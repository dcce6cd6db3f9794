/** winston JSON lines carrying the NF name and the current correlation id (DESIGN.md, conventions). */
import winston from 'winston';
import { currentCorrelationId } from './correlation.ts';

export type Logger = winston.Logger;
export type LogLevel = 'error' | 'warn' | 'info' | 'debug' | 'silent';

const addCorrelationId = winston.format((info) => {
  const correlationId = currentCorrelationId();
  if (correlationId && info.correlationId === undefined) info.correlationId = correlationId;
  return info;
});

export function createLogger(options: { nf: string; level?: LogLevel }): Logger {
  const level = options.level ?? 'info';
  return winston.createLogger({
    level: level === 'silent' ? 'error' : level,
    silent: level === 'silent',
    defaultMeta: { nf: options.nf },
    format: winston.format.combine(addCorrelationId(), winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] })],
  });
}
