/** `dmsc ca`: the AMC's CA certificate, the trust anchor of agent credentials, found through the NRF. */
import 'reflect-metadata'; // @peculiar/x509 2.x resolves its services through tsyringe
import { BasicConstraintsExtension, X509Certificate } from '@peculiar/x509';
import { Command } from 'commander';
import { callNf, nfAddressOption, nrfOption, serviceRoot } from './core-client.ts';

export function caCommand(): Command {
  return new Command('ca')
    .description("show the AMC's CA certificate: subject, validity and SHA-256 fingerprint, or the PEM with --pem")
    .addOption(nrfOption())
    .addOption(nfAddressOption('amc'))
    .option('--pem', 'print the certificate in PEM and nothing else')
    .action(async (options: { nrf: string; amc?: string; pem?: boolean }) => {
      const root = await serviceRoot({ nrf: options.nrf, address: options.amc, addressOption: '--amc' }, 'AMC', 'namc-cred');
      const url = `${root}/ca`;
      const pem = (await callNf('AMC', 'GET', url)).text.trim();
      // Read in either case: what --pem prints goes into trust stores, and must be the CA's one
      // certificate (the AMC's CA is a self-signed root), not an agent's nor a chain cut short.
      const blocks = pem.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;
      if (blocks > 1) throw new Error(`the AMC at ${url} sent ${blocks} certificates; its CA certificate is one`);
      let certificate: X509Certificate;
      try {
        certificate = new X509Certificate(pem);
      } catch (error) {
        throw new Error(`the AMC at ${url} sent no readable certificate: ${(error as Error).message}`);
      }
      // RFC 5280 section 4.2.1.9: a CA's certificate says cA TRUE in its basic constraints.
      if (certificate.getExtension(BasicConstraintsExtension)?.ca !== true) {
        throw new Error(`the AMC at ${url} sent a certificate that is not a CA's (${certificate.subject}, no basicConstraints cA): not a trust anchor`);
      }
      if (options.pem) {
        process.stdout.write(`${certificate.toString('pem')}\n`);
        return;
      }
      const fingerprint = Buffer.from(await certificate.getThumbprint('SHA-256')).toString('hex').toUpperCase().match(/../g)!.join(':');
      const lines = [
        ['subject', certificate.subject],
        ['issuer', certificate.issuer === certificate.subject ? `${certificate.issuer} (self-signed)` : certificate.issuer],
        ['serial', certificate.serialNumber],
        ['valid from', certificate.notBefore.toISOString()],
        ['valid until', certificate.notAfter.toISOString()],
        ['SHA-256', fingerprint],
        ['from', url],
      ];
      process.stdout.write(lines.map(([name, value]) => `${`${name}:`.padEnd(13)}${value}`).join('\n') + '\n');
    });
}
