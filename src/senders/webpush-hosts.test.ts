import { describe, expect, it } from 'vitest';
import { DEFAULT_WEBPUSH_HOSTS, WebPushHosts } from './webpush-hosts.js';

describe('Web Push endpoint hosts', () => {
  const hosts = new WebPushHosts(DEFAULT_WEBPUSH_HOSTS);
  it("allow the browsers' push services over https, and nothing else", () => {
    expect(hosts.problem('https://fcm.googleapis.com/fcm/send/abc')).toBeUndefined();
    expect(hosts.problem('https://updates.push.services.mozilla.com/wpush/v2/x')).toBeUndefined();
    expect(hosts.problem('https://wns2-par02p.notify.windows.com/w/?token=x')).toBeUndefined();
    expect(hosts.problem('https://web.push.apple.com/QGx')).toBeUndefined();
    expect(hosts.problem('https://notify.windows.com/x')).toMatch(/not one of HERALD_WEBPUSH_HOSTS/);
    expect(hosts.problem('https://fcm.googleapis.com.evil.example/x')).toMatch(/not one of/);
    expect(hosts.problem('http://fcm.googleapis.com/fcm/send/abc')).toMatch(/must use https/);
    expect(hosts.problem('https://fcm.googleapis.com:8443/x')).toMatch(/port 8443 is not allowed/);
    expect(hosts.problem('https://169.254.169.254/latest')).toMatch(/not one of/);
  });

  it('an entry with scheme and port allows exactly that origin, plain http included', () => {
    const local = new WebPushHosts('http://127.0.0.1:9443');
    expect(local.problem('http://127.0.0.1:9443/push/1')).toBeUndefined();
    expect(local.problem('http://127.0.0.1:9444/push/1')).toMatch(/not one of/);
    expect(local.problem('https://127.0.0.1:9443/push/1')).toMatch(/not one of/);
  });

  it('refuses a malformed list', () => {
    expect(() => new WebPushHosts('fcm.googleapis.com,http://x:1/path')).toThrow(/scheme:\/\/host\[:port\]/);
    expect(() => new WebPushHosts('bad host')).toThrow(/not a host name/);
  });
});
