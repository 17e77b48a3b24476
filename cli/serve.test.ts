import { describe, expect, it } from 'vitest';
import { parseServeOptions } from './serve.js';

describe('copse serve options', () => {
  it('has defaults suitable for the in-cluster Deployment', () => {
    expect(parseServeOptions([], {})).toEqual({
      help: false,
      inCluster: false,
      host: '0.0.0.0',
      port: 9443,
      registerLocal: false,
      certMode: 'auto',
      resyncSeconds: 3600,
      topologyAwareScheduling: true,
      metricsHost: '0.0.0.0',
      metricsPort: 8080,
      controllers: true,
      aggregatedApi: true,
      apiHost: '0.0.0.0',
      apiPort: 6443,
      leaderElect: true,
      qps: 200,
      burst: 400,
      watchStallSeconds: 180,
      heapGrowthPercent: 40,
      gangScheduling: 'extender',
      extenderHost: '0.0.0.0',
      extenderPort: 9444,
      extenderMarker: false,
      reservationTimeoutSeconds: 30,
      partialGangTimeoutSeconds: 60,
      nativeScheduling: 'auto',
      dynamo: 'auto',
    });
  });

  it('takes --native-scheduling, else COPSE_NATIVE_SCHEDULING, and names the flag on a bad value', () => {
    expect(parseServeOptions(['--native-scheduling', 'on'], { COPSE_NATIVE_SCHEDULING: 'off' }).nativeScheduling).toBe('on');
    expect(parseServeOptions([], { COPSE_NATIVE_SCHEDULING: 'off' }).nativeScheduling).toBe('off');
    expect(() => parseServeOptions(['--native-scheduling', 'maybe'], {})).toThrow('--native-scheduling: must be auto, on or off, got "maybe"');
  });

  it('takes --extender-marker, else COPSE_EXTENDER_MARKER, and refuses it without an extender', () => {
    expect(parseServeOptions(['--extender-marker', 'on'], { COPSE_EXTENDER_MARKER: 'off' }).extenderMarker).toBe(true);
    expect(parseServeOptions([], { COPSE_EXTENDER_MARKER: 'on' }).extenderMarker).toBe(true);
    expect(() => parseServeOptions(['--extender-marker', 'yes'], {})).toThrow('--extender-marker: must be on or off, got "yes"');
    expect(() => parseServeOptions(['--extender-marker', 'on', '--gang-scheduling', 'off'], {})).toThrow('--extender-marker: on needs --gang-scheduling extender');
  });

  it('parses the monitoring address, including IPv6', () => {
    expect(parseServeOptions(['--metrics-bind-address', '[::1]:9090'])).toMatchObject({ metricsHost: '::1', metricsPort: 9090 });
  });

  it('takes its namespace from COPSE_NAMESPACE (the Deployment sets it), a flag overriding it', () => {
    expect(parseServeOptions([], { COPSE_NAMESPACE: 'ops' }).namespace).toBe('ops');
    expect(parseServeOptions(['--namespace', 'mine'], { COPSE_NAMESPACE: 'ops' }).namespace).toBe('mine');
    expect(parseServeOptions([], { COPSE_NAMESPACE: '' }).namespace).toBeUndefined();
  });

  it('parses the aggregated API flags', () => {
    expect(parseServeOptions(['--api-bind-address', '127.0.0.1:20007'])).toMatchObject({ aggregatedApi: true, apiHost: '127.0.0.1', apiPort: 20007 });
    expect(parseServeOptions(['--aggregated-api=false', '--cert-mode', 'manual', '--cert-dir', '/c']).aggregatedApi).toBe(false);
    expect(parseServeOptions(['--cert-mode', 'manual', '--cert-dir', '/c', '--api-cert-dir', '/a']).apiCertDir).toBe('/a');
  });

  it('parses what copse up passes', () => {
    const o = parseServeOptions(['--kubeconfig', '/k', '--host', '127.0.0.1', '--port', '20005', '--register-local', '--resync-interval', '10']);
    expect(o).toMatchObject({ kubeconfig: '/k', host: '127.0.0.1', port: 20005, registerLocal: true, resyncSeconds: 10 });
  });

  it.each([
    [['--port', 'http'], '--port: must be a port number, got "http"'],
    [['--port', '70000'], '--port: must be a port number, got "70000"'],
    [['--cert-mode', 'vault'], '--cert-mode: must be auto or manual, got "vault"'],
    [['--cert-mode', 'manual'], '--cert-dir: required with --cert-mode=manual'],
    [['--topology-aware-scheduling', 'yes'], '--topology-aware-scheduling: must be true or false, got "yes"'],
    [['--resync-interval', '0'], '--resync-interval: must be a positive number of seconds, got "0"'],
    [['--metrics-bind-address', '8080'], '--metrics-bind-address: must be HOST:PORT, got "8080"'],
    [['--controllers', 'no'], '--controllers: must be true or false, got "no"'],
    [['--leader-elect', '1'], '--leader-elect: must be true or false, got "1"'],
    [['--kube-api-qps', '0'], '--kube-api-qps: must be a positive number, got "0"'],
    [['--watch-stall-seconds', '0'], '--watch-stall-seconds: must be at least 1 second, got "0"'],
    [['--heap-growth-percent', '12.5'], '--heap-growth-percent: must be an integer from 0 to 1000, got "12.5"'],
    [['--aggregated-api', 'on'], '--aggregated-api: must be true or false, got "on"'],
    [['--api-bind-address', '6443'], '--api-bind-address: must be HOST:PORT, got "6443"'],
    [['--cert-mode', 'manual', '--cert-dir', '/c'], '--api-cert-dir: required with --cert-mode=manual (or --aggregated-api=false)'],
    [['--gang-scheduling', 'kai'], '--gang-scheduling: must be extender or off, got "kai"'],
    [['--extender-bind-address', ':x'], '--extender-bind-address: must be HOST:PORT, got ":x"'],
    [['--partial-gang-timeout=-1'], '--partial-gang-timeout: must be 0 or more seconds, got "-1"'],
  ])('rejects %j naming the flag', (argv, message) => {
    expect(() => parseServeOptions(argv)).toThrow(message);
  });
});
