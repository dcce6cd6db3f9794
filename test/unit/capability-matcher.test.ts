import { expect } from 'chai';
import { createCapabilityMatcher, stem, type TaxonomyEntry } from '../../nfs/agw/capability-matcher.ts';

const cap = (segment: string, name: string, description: string, synonyms: string[]): TaxonomyEntry => ({
  capabilityId: `/capability/${segment}`,
  name,
  description,
  synonyms,
  version: 1,
});

/** A taxonomy shaped like the one the AMC will serve: 004 use cases plus 000's mobile-operator agents. */
const taxonomy: TaxonomyEntry[] = [
  cap('qos-optimisation', 'QoS optimisation', "Improve or guarantee quality of service, boost bandwidth, reduce latency for a UE's traffic", [
    'speed up my connection', 'more bandwidth', 'video stutters', 'lag', 'buffering', 'low latency', 'network slice', 'boost',
  ]),
  cap('network-diagnosis', 'Network diagnosis', 'Diagnose abnormal behaviour in the radio access and core network from alarms, KPIs and logs', [
    'network problem', 'alarm analysis', 'kpi degradation', 'check the network',
  ]),
  cap('location', 'UE location', 'Determine the geographic position of a UE or device', [
    'where am i', 'whereabouts', 'position', 'gps', 'locate my phone', 'find my device',
  ]),
  cap('cell-load-analytics', 'Cell load analytics', 'Report load, congestion and number of active users of a cell (NWDAF load level)', [
    'busy cell', 'how busy', 'congestion', 'crowded', 'cell utilisation', 'prb usage',
  ]),
  cap('broadband-troubleshooting', 'Home broadband troubleshooting', 'Diagnose and fix home broadband, wifi, fibre and router faults', [
    'home internet', 'wifi not working', 'router', 'fibre outage', 'unstable broadband', 'ont', 'fixed line',
  ]),
  cap('billing-plan', 'Billing and plan', 'Answer questions about tariffs, bills, plan prices, add-ons and charges', [
    'how much does it cost', 'price', 'invoice', 'tariff', 'subscription', 'roaming add-on', 'top up',
  ]),
  cap('wireless-network-optimisation', 'Wireless network optimisation', 'Optimise radio coverage and mobile signal quality: antenna tilt, power, handover parameters', [
    'poor signal', 'weak coverage', 'no bars', 'mobile signal', 'dropped calls', 'rf optimisation',
  ]),
  cap('intent-recognition', 'Intent recognition', 'Turn a natural-language request into a structured network intent', [
    'understand my request', 'intent parsing', 'nlu',
  ]),
  cap('data-preprocessing', 'Data preprocessing', 'Clean, normalise and aggregate network measurement and log data for analysis', [
    'etl', 'data cleaning', 'feature extraction',
  ]),
  cap('root-cause-analysis', 'Root cause analysis', 'Find the root cause of a network fault by correlating alarms, topology and changes', [
    'rca', 'why did it fail', 'fault correlation',
  ]),
  cap('knowledge-qa', 'Knowledge Q&A', 'Answer questions from operator documentation, 3GPP specifications and manuals', [
    'documentation', 'how does it work', 'explain', 'faq',
  ]),
  cap('fault-handling', 'Fault handling', 'Open, dispatch and close trouble tickets; restore service after an outage', [
    'trouble ticket', 'repair', 'outage', 'restore service',
  ]),
  cap('maintenance-scheduling', 'Maintenance scheduling', 'Plan maintenance windows and site visits with minimal service impact', [
    'maintenance window', 'site visit', 'planned works', 'engineer visit',
  ]),
  cap('e2e-testing', 'End-to-end testing', 'Run end-to-end service tests and probes across RAN, transport and core', [
    'e2e test', 'drive test', 'service probe', 'acceptance test',
  ]),
  cap('ue-measurement', 'UE measurement', 'Collect UE radio measurements: RSRP, RSRQ, SINR and throughput reports', [
    'signal strength reading', 'rsrp', 'sinr', 'measurement report', 'speed test',
  ]),
];

const ids = (matches: Array<{ capabilityId: string }>) => matches.map((m) => m.capabilityId);

describe('capability matcher', () => {
  const matcher = createCapabilityMatcher(taxonomy);

  const top1: Array<[string, string]> = [
    ['find an agent that can fix my home broadband', '/capability/broadband-troubleshooting'],
    ['where am I', '/capability/location'],
    ['what is my location', '/capability/location'],
    ['my video stutters, give me more bandwidth', '/capability/qos-optimisation'],
    ['how busy is my cell', '/capability/cell-load-analytics'],
    ['how much does my plan cost', '/capability/billing-plan'],
    ['my video calls keep dropping, please boost my connection', '/capability/qos-optimisation'],
    ['schedule a maintenance window for site 12', '/capability/maintenance-scheduling'],
    ['what is the root cause of this outage', '/capability/root-cause-analysis'],
  ];
  for (const [query, expected] of top1) {
    it(`ranks ${expected} first for "${query}"`, () => {
      expect(ids(matcher.match(query))[0]).to.equal(expected);
    });
  }

  it('puts home broadband and wireless optimisation in the top 2 for the 004 example query', () => {
    const top2 = ids(matcher.match('Poor mobile signal and unstable broadband at home', { limit: 2 }));
    expect(top2).to.have.members(['/capability/broadband-troubleshooting', '/capability/wireless-network-optimisation']);
  });

  it('returns nothing for gibberish or stop words only', () => {
    expect(matcher.match('xqzv blorp')).to.deep.equal([]);
    expect(matcher.match('can you please help me with this')).to.deep.equal([]);
    expect(matcher.match('   ')).to.deep.equal([]);
  });

  it('accepts a capability id or its last path segment with score 1', () => {
    expect(matcher.match('/capability/location')).to.deep.equal([{ capabilityId: '/capability/location', score: 1 }]);
    expect(matcher.match(' Location ')).to.deep.equal([{ capabilityId: '/capability/location', score: 1 }]);
    expect(matcher.match('cell-load-analytics')).to.deep.equal([{ capabilityId: '/capability/cell-load-analytics', score: 1 }]);
  });

  it('answers scores in (0, 1], sorted best first, within limit and minScore', () => {
    for (const query of [...top1.map(([q]) => q), 'Poor mobile signal and unstable broadband at home', 'network fault']) {
      const matches = matcher.match(query, { limit: 5, minScore: 0.05 });
      expect(matches.length).to.be.within(1, 5);
      for (const { score } of matches) expect(score).to.be.greaterThan(0.05 - 1e-9).and.at.most(1);
      expect(matches.map((m) => m.score)).to.deep.equal([...matches.map((m) => m.score)].sort((a, b) => b - a));
    }
    expect(matcher.match('network fault', { minScore: 0.99 }).every((m) => m.score >= 0.99)).to.equal(true);
  });

  it('tolerates typos and British or American spelling', () => {
    expect(ids(matcher.match('my brodband is down'))[0]).to.equal('/capability/broadband-troubleshooting');
    expect(ids(matcher.match('optimize radio coverage'))[0]).to.equal('/capability/wireless-network-optimisation');
  });

  it('rebuilds on update: new capabilities are found and removed ones are gone', () => {
    const m = createCapabilityMatcher(taxonomy);
    m.update([...taxonomy.filter((e) => e.capabilityId !== '/capability/location'), cap('ocr', 'OCR', 'Read text from images', ['scan a document'])]);
    expect(ids(m.match('scan a document'))[0]).to.equal('/capability/ocr');
    expect(m.match('/capability/location')).to.deep.equal([]);
    expect(ids(m.match('where am I'))).to.not.include('/capability/location');
  });

  it('keeps the previous index when an update is rejected', () => {
    const m = createCapabilityMatcher(taxonomy);
    expect(() => m.update([taxonomy[0], taxonomy[0]])).to.throw();
    expect(ids(m.match('where am I'))[0]).to.equal('/capability/location');
  });

  it('stems derivational families to one term', () => {
    for (const family of [['optimisation', 'optimize', 'optimising'], ['diagnosis', 'diagnose', 'diagnostics'], ['dropping', 'drops', 'dropped']]) {
      expect(new Set(family.map(stem)).size, family.join()).to.equal(1);
    }
    expect(stem('wireless')).to.equal('wireless');
  });

  it('costs well under a millisecond per match', () => {
    const queries = [...top1.map(([q]) => q), 'Poor mobile signal and unstable broadband at home', 'xqzv blorp'];
    const n = 10_000;
    const start = performance.now();
    for (let i = 0; i < n; i++) matcher.match(queries[i % queries.length]);
    const perCall = (performance.now() - start) / n;
    console.log(`      match: ${(perCall * 1000).toFixed(1)} µs per call (${n} calls, ${taxonomy.length} entries)`);
    expect(perCall).to.be.below(1);
  });
});
