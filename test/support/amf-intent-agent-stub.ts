/**
 * A small real HTTP intent agent for AMF tests (the real agent NF comes with nfs/agent-nf): it
 * takes IntentRequests at POST /nagent-tip/v1/agents/{name}/intents, records them, and answers as
 * told: an IntentOutcome, a 500, an answer that is no IntentOutcome, a 400, or never. It registers
 * at the AGW through ARP with /capability/intent-recognition and its intents URL as invokeUrl.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { components } from '../../openapi/generated/nagent-tip.ts';
import { asRegistrant, operatorCore, registerAgent } from './core-harness.ts';
import { request } from './nrf-harness.ts';

export type IntentRequest = components['schemas']['IntentRequest'];
export type IntentOutcome = components['schemas']['IntentOutcome'];
export type StubBehaviour = 'answer' | 'fail' | 'garble' | 'refuse' | 'hang';

export interface IntentAgentStub {
  readonly name: string;
  readonly url: string;
  readonly invokeUrl: string;
  /** What the AMF sent, in order. */
  readonly received: IntentRequest[];
  behaviour: StubBehaviour;
  aic?: string;
  /** Registers at the AGW by ARP; returns the AIC. */
  register(agwUrl: string): Promise<string>;
  /** Sets the load the AGW ranks by (lower first). */
  setLoad(agwUrl: string, load: number): Promise<void>;
  /** Leaves the AGW, if registered. */
  deregister(agwUrl: string): Promise<void>;
  close(): Promise<void>;
}

/** The outcome the stub gives: rejected for an obvious injection attempt, completed otherwise. */
export function stubOutcome(name: string, body: IntentRequest): IntentOutcome {
  const injection = body.text !== undefined && /ignore (all )?previous instructions/i.test(body.text);
  return {
    intentId: randomUUID(),
    outcome: injection ? 'rejected' : 'completed',
    result: injection ? 'This request cannot be processed.' : `${name} handled: ${body.text ?? 'an operator-defined intent'}`,
    intent: body.operatorIntent ?? { intentExpectations: [{ expectationId: 'e1', expectationVerb: 'DELIVER', expectationObject: { objectType: 'UE_QoS' } }] },
    confidence: 0.9,
    tasks: injection ? [] : [{ taskId: 't1', capability: '/capability/qos-optimisation', agent: 'stub-qos-agent', state: 'completed', dependsOn: [], attempts: 1, summary: 'Done.' }],
    timings: { comprehensionMs: 1 },
  };
}

export async function startIntentAgentStub(name = 'intent-agent', behaviour: StubBehaviour = 'answer'): Promise<IntentAgentStub> {
  const received: IntentRequest[] = [];
  const path = `/nagent-tip/v1/agents/${name}/intents`;
  const stub = { behaviour } as IntentAgentStub;
  const server: Server = createServer(async (req, res) => {
    if (req.method !== 'POST' || req.url !== path) {
      res.writeHead(404).end();
      return;
    }
    const body = JSON.parse(await readAll(req)) as IntentRequest;
    received.push(body);
    const reply = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    switch (stub.behaviour) {
      case 'answer':
        return reply(200, stubOutcome(name, body));
      case 'fail':
        return reply(500, { status: 500, detail: 'the stub fails on purpose' });
      case 'garble':
        return reply(200, { outcome: 'maybe' });
      case 'refuse':
        return reply(400, { status: 400, detail: 'the stub refuses this intent', cause: 'STUB_REFUSED' });
      case 'hang':
        return; // never answers; closed with the server
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(stub, {
    name,
    url,
    invokeUrl: `${url}${path}`,
    received,
    async register(agwUrl: string) {
      const res = await registerAgent(agwUrl, {
        provider: operatorCore,
        name,
        kind: 'nf-agent',
        description: 'Intent agent stub for AMF tests',
        capabilities: ['/capability/intent-recognition'],
        a2aUrl: `${url}/a2a`,
        invokeUrl: `${url}${path}`,
      });
      if (res.status !== 201) throw new Error(`stub registration failed: ${res.status} ${JSON.stringify(res.body)}`);
      stub.aic = res.body.aic;
      return res.body.aic as string;
    },
    async setLoad(agwUrl: string, load: number) {
      const res = await request('PUT', `${agwUrl}/nagw-reg/v1/registrations/${stub.aic}/heartbeat`, { load }, asRegistrant(stub.aic!));
      if (res.status !== 204) throw new Error(`stub heartbeat failed: ${res.status}`);
    },
    async deregister(agwUrl: string) {
      if (!stub.aic) return;
      const res = await request('DELETE', `${agwUrl}/nagw-reg/v1/registrations/${stub.aic}`, undefined, asRegistrant(stub.aic));
      if (res.status !== 204) throw new Error(`stub deregistration failed: ${res.status}`);
      stub.aic = undefined;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
