/**
 * /capability/e2e-testing: end-to-end service tests after a change or repair (seed 004, use case
 * 2, phase 4). The task completes whenever the tests ran; data.passed says whether the service
 * works, and the summary names what failed.
 *
 * Parameters: service (broadband | mobile); without it, the domain of the inputs (a fault
 * handled on the line means broadband), else broadband.
 */
import { broadbandFaults } from '../network-catalogue.ts';
import { completed, isRecord, requireSupi, type CapabilityHandler, type TaskRequest } from './capability-types.ts';
import { parameterFailure, readParameters } from './task-parameters.ts';

interface TestCase {
  name: string;
  passed: boolean;
  detail: string;
}

const inputDomain = (task: TaskRequest): 'broadband' | 'mobile' | undefined => {
  const domains = Object.values(task.inputs ?? {}).map((input) => (isRecord(input) && isRecord(input.data) ? input.data.domain : undefined));
  return domains.includes('broadband') ? 'broadband' : domains.includes('mobile') ? 'mobile' : undefined;
};

export const e2eTesting: CapabilityHandler = async (task, { state, now }) => {
  const subject = requireSupi(task, 'test the service');
  if ('failure' in subject) return subject.failure;
  const params = readParameters(task.parameters);
  const service = params.oneOf('service', ['broadband', 'mobile'] as const) ?? inputDomain(task) ?? 'broadband';
  const problem = parameterFailure(task, params);
  if (problem) return problem;
  const testedAt = new Date(now()).toISOString();

  if (service === 'mobile') {
    const radio = await state.getUeRadio(subject.supi);
    const minMbps = radio.qos.gbrDlMbps ?? 5;
    const maxLatency = radio.qos.isDefault ? 100 : radio.qos.packetDelayBudgetMs;
    const tests: TestCase[] = [
      { name: 'registration', passed: true, detail: `registered in cell ${radio.cellId}` },
      { name: 'signal', passed: radio.rsrpDbm >= -110, detail: `${radio.rsrpDbm} dBm` },
      { name: 'throughput', passed: radio.downlinkMbps >= minMbps, detail: `${radio.downlinkMbps} Mbps (needs ${minMbps})` },
      { name: 'latency', passed: radio.latencyMs <= maxLatency, detail: `${radio.latencyMs} ms (needs ${maxLatency})` },
    ];
    const failing = tests.filter((test) => !test.passed);
    const summary = failing.length === 0
      ? `All ${tests.length} mobile service tests passed in cell ${radio.cellId}: ${radio.downlinkMbps} Mbps and ${radio.latencyMs} ms.`
      : `${failing.length} of ${tests.length} mobile service tests failed in cell ${radio.cellId}: ${failing.map((test) => `${test.name} ${test.detail}`).join(', ')}.`;
    return completed(task, summary, { domain: 'mobile', service, passed: failing.length === 0, tests, cellId: radio.cellId, testedAt });
  }

  const [line, visit] = await Promise.all([state.getBroadbandLine(subject.supi), state.findEngineerVisit(subject.supi)]);
  const wifiNeed = Math.min(50, line.planDownMbps * 0.3);
  const tests: TestCase[] = [
    { name: 'optical-link', passed: line.lineStatus === 'UP', detail: line.opticalRxPowerDbm === null ? 'no light' : `${line.opticalRxPowerDbm} dBm` },
    { name: 'internet-session', passed: line.pppoeSession === 'UP', detail: `PPPoE ${line.pppoeSession}` },
    { name: 'dns-resolution', passed: line.router.wanStatus === 'UP', detail: line.router.wanStatus === 'UP' ? 'resolved' : 'no WAN' },
    { name: 'throughput', passed: line.wiredThroughputMbps >= line.planDownMbps * 0.8, detail: `${line.wiredThroughputMbps} of ${line.planDownMbps} Mbps` },
    { name: 'wifi', passed: line.router.wifiUtilisationPercent < 80 && line.wifiThroughputMbps >= wifiNeed, detail: `${line.wifiThroughputMbps} Mbps on channel ${line.router.wifiChannel}` },
  ];
  const failing = tests.filter((test) => !test.passed);
  let summary: string;
  if (failing.length === 0) {
    summary = `All ${tests.length} service tests passed on line ${line.lineId}: ${line.wiredThroughputMbps} Mbps of the ${line.planDownMbps} Mbps plan, Wi-Fi ${line.wifiThroughputMbps} Mbps on channel ${line.router.wifiChannel}.`;
  } else {
    const cause = line.fault ? `: ${broadbandFaults[line.fault].description}` : '';
    const booked = visit && visit.status === 'BOOKED' ? ` An engineer is booked for ${visit.window}.` : '';
    summary = `${failing.length} of ${tests.length} service tests failed on line ${line.lineId} (${failing.map((test) => test.name).join(', ')})${cause}.${booked}`;
  }
  return completed(task, summary, { domain: 'broadband', service, passed: failing.length === 0, tests, lineId: line.lineId, fault: line.fault, visit, testedAt });
};
