/** A real HTTP subscriber for NFStatusNotify: records what arrives and answers as the test tells it. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedNotification {
  body: any;
  headers: IncomingMessage['headers'];
}

export interface NotificationSink {
  url: string;
  received: ReceivedNotification[];
  attempts: number;
  /** Decides each answer; default 204 at once. */
  respond: (res: ServerResponse, attempt: number) => void;
  /** Resolves once `count` notifications have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedNotification[]>;
  close(): Promise<void>;
}

export async function startNotificationSink(): Promise<NotificationSink> {
  const waiters: Array<() => void> = [];
  const sink: NotificationSink = {
    url: '',
    received: [],
    attempts: 0,
    respond: (res) => res.writeHead(204).end(),
    waitFor(count, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (sink.received.length >= count) {
            clearTimeout(timer);
            resolve(sink.received);
            return true;
          }
          return false;
        };
        const timer = setTimeout(() => reject(new Error(`only ${sink.received.length} of ${count} notifications arrived`)), timeoutMs);
        // Every arrival wakes the waiters; one still short of its count waits for the next.
        const waiter = () => {
          if (!check()) waiters.push(waiter);
        };
        waiter();
      });
    },
    close: () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      sink.attempts += 1;
      const attempt = sink.attempts;
      res.on('finish', () => {
        if (res.statusCode >= 200 && res.statusCode < 300) {
          sink.received.push({ body: JSON.parse(text), headers: req.headers });
          waiters.splice(0).forEach((wake) => wake());
        }
      });
      sink.respond(res, attempt);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`;
  return sink;
}
