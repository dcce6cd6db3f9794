import { expect } from 'chai';
import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listenNf, type NfHandle } from '../../nfs/shared/nf-host.ts';

/** A handle that counts its stops and whose start does what the test says. */
function countingHandle(start: () => Promise<void>): NfHandle & { stops: number } {
  const handle = {
    name: 'probe',
    nfType: 'PROBE',
    nfInstanceId: 'probe-1',
    app: express(),
    stops: 0,
    start,
    async stop() {
      handle.stops += 1;
    },
  };
  return handle;
}

describe('listenNf: an NF that fails to get going is stopped', () => {
  let taken: Server;
  before(async () => {
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    await new Promise<void>((resolve) => taken.close(() => resolve()));
  });

  it('stops the handle and gives the start error when start fails', async () => {
    const handle = countingHandle(async () => {
      throw new Error('NRF unreachable');
    });
    let refusal: Error | undefined;
    await listenNf(handle, { host: '127.0.0.1', port: 0 }).catch((error: Error) => (refusal = error));
    expect(refusal?.message).to.equal('NRF unreachable');
    expect(handle.stops).to.equal(1);
  });

  it('stops the handle when its port is taken, without starting it', async () => {
    let started = false;
    const handle = countingHandle(async () => {
      started = true;
    });
    const port = (taken.address() as AddressInfo).port;
    let refusal: NodeJS.ErrnoException | undefined;
    await listenNf(handle, { host: '127.0.0.1', port }).catch((error: NodeJS.ErrnoException) => (refusal = error));
    expect(refusal?.code).to.equal('EADDRINUSE');
    expect(started).to.equal(false);
    expect(handle.stops).to.equal(1);
  });

  it('leaves a handle that started running until it is closed', async () => {
    const handle = countingHandle(async () => undefined);
    const listening = await listenNf(handle, { host: '127.0.0.1', port: 0 });
    expect(handle.stops).to.equal(0);
    await listening.close();
    expect(handle.stops).to.equal(1);
  });
});

describe('listenNf: closing lets the requests under way finish', () => {
  /** A handle whose GET /slow is answered when the test says, recording the order of what happens. */
  function slowHandle() {
    const happened: string[] = [];
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const handle = countingHandle(async () => undefined);
    handle.app.get('/slow', async (_req, res) => {
      happened.push('request');
      await released;
      res.json({ done: true });
    });
    const stop = handle.stop;
    handle.stop = async () => {
      happened.push('stop');
      await stop();
    };
    return { handle, happened, release };
  }

  it('answers a request under way, refuses new connections meanwhile, and stops the handle after', async () => {
    const { handle, happened, release } = slowHandle();
    const listening = await listenNf(handle, { host: '127.0.0.1', port: 0 });
    const answer = fetch(`${listening.apiRoot}/slow`).then(async (res) => [res.status, await res.json()]);
    while (!happened.includes('request')) await new Promise((resolve) => setTimeout(resolve, 5));
    const closed = listening.close().then(() => happened.push('closed'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(happened, 'still draining').to.deep.equal(['request']);
    const refused = await fetch(`${listening.apiRoot}/slow`).then(() => 'answered', (error: Error & { cause?: { code?: string } }) => error.cause?.code);
    expect(refused).to.equal('ECONNREFUSED');
    release();
    expect(await answer).to.deep.equal([200, { done: true }]);
    await closed;
    expect(happened).to.deep.equal(['request', 'stop', 'closed']);
  });

  it('cuts off a request that outlasts drainMs, and closes', async () => {
    const { handle, happened } = slowHandle();
    const listening = await listenNf(handle, { host: '127.0.0.1', port: 0, drainMs: 200 });
    const answer = fetch(`${listening.apiRoot}/slow`).then(() => 'answered', () => 'cut off');
    while (!happened.includes('request')) await new Promise((resolve) => setTimeout(resolve, 5));
    await listening.close();
    expect([await answer, handle.stops]).to.deep.equal(['cut off', 1]);
  });
});
