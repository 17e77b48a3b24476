// The webhook server refuses TLS below 1.2 by its own setting, not by Node's process-wide default:
// the test lowers that default to TLS 1.0 first (as `node --tls-min-v1.0` or NODE_OPTIONS would),
// so only the server's explicit minimum stands between a TLS 1.1 client and a handshake. The refusal
// must be the protocol_version alert; without the minimum, OpenSSL would fail the handshake for
// lack of a cipher instead (an internal_error alert), which is no promise at all.
import tls from 'node:tls';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCert, newCa } from '../certs/issue.js';
import { Registry } from '../kube/metrics.js';
import { startWebhookServer, type WebhookServer } from './server.js';

const now = new Date();
const ca = newCa({ commonName: 'ca', now, validDays: 2 });
const leaf = (cn: string) => issueCert(ca, { commonName: cn, ipAddresses: ['127.0.0.1'], usage: 'server', now, validDays: 1 });

function handshake(port: number, version: tls.SecureVersion): Promise<string> {
  return new Promise((resolve, reject) => {
    // SECLEVEL=0 so that the client itself is willing to speak TLS 1.1 under OpenSSL 3.
    const socket = tls.connect({ host: '127.0.0.1', port, ca: [ca.certPem], minVersion: version, maxVersion: version, ciphers: 'DEFAULT@SECLEVEL=0' }, () => {
      const protocol = socket.getProtocol() ?? '';
      socket.end();
      resolve(protocol);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => reject(Object.assign(new Error(err.message), { code: err.code })));
  });
}

describe('TLS versions the webhook server accepts', () => {
  const processDefault = tls.DEFAULT_MIN_VERSION;
  let server: WebhookServer;

  beforeAll(async () => {
    tls.DEFAULT_MIN_VERSION = 'TLSv1';
    const first = leaf('one');
    server = await startWebhookServer({ host: '127.0.0.1', port: 0, tls: { certPem: first.certPem, keyPem: first.keyPem }, log: pino({ level: 'silent' }), metrics: new Registry() });
  });
  afterAll(async () => {
    tls.DEFAULT_MIN_VERSION = processDefault;
    await server.close();
  });

  it('refuses a TLS 1.1 client with a protocol_version alert, even with the process default lowered', async () => {
    await expect(handshake(server.port, 'TLSv1.1')).rejects.toMatchObject({ code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' });
  });

  it('speaks TLS 1.2 and 1.3', async () => {
    expect(await handshake(server.port, 'TLSv1.2')).toBe('TLSv1.2');
    expect(await handshake(server.port, 'TLSv1.3')).toBe('TLSv1.3');
  });

  it('keeps the minimum across a certificate swap', async () => {
    const next = leaf('two');
    server.setCertificate({ certPem: next.certPem, keyPem: next.keyPem });
    await expect(handshake(server.port, 'TLSv1.1')).rejects.toMatchObject({ code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' });
    expect(await handshake(server.port, 'TLSv1.2')).toBe('TLSv1.2');
  });
});
