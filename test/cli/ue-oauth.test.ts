/**
 * `dmsc ue` against a core started with --oauth: the UE holds no NRF token, so it is given the
 * AMF's address (as a gNB is configured with its AMFs), and its agent the SMF's and the AMC's.
 */
import { expect } from 'chai';
import { dmscJson, everyPortFree, killStartedDmsc, startDmsc, waitForStdout } from '../support/dmsc-process.ts';

interface UpLine {
  nfs: { nfType: string; url: string }[];
}

describe('dmsc ue with --oauth: --amf, --smf and --amc', function () {
  this.timeout(90_000);
  afterEach(killStartedDmsc);

  it("registers at the AMF given and, with the SMF and the AMC given, lets the diagnosis ask the phone through a session to the UE's agent", async () => {
    const dmsc = startDmsc(['up', '--oauth', '--json', ...everyPortFree]);
    const [line] = await waitForStdout(dmsc, /^\{"store".*\}$/m, 60_000);
    const url = (nfType: string) => (JSON.parse(line) as UpLine).nfs.find((nf) => nf.nfType === nfType)!.url;
    const outcome = await dmscJson<{ outcome: string }>(['ue', 'intent', '--json', '--amf', url('AMF'), '--smf', url('SMF'), '--amc', url('AMC'), '--supi', 'imsi-001010000000093', 'why is my mobile connection slow']);
    expect(outcome.outcome, JSON.stringify(outcome)).to.equal('completed');
    expect(JSON.stringify(outcome)).to.match(/Your phone measured RSRP -?[0-9.]+ dBm/);
  });
});
