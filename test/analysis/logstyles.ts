// Hand-written message bodies in the styles of systems whose logs the project has no copy of
// (sshd, a Windows proxy client, OpenStack nova, Android framework, a phone health app, Windows
// CBS, macOS kernel/daemons, a cluster's syslog), each labelled with the template it belongs to.
// Written from the public descriptions of these log formats, not from any benchmark file; the
// test asserts that one miner configuration groups every style exactly.

export interface Styled {
  style: string;
  /** [template label, message] */
  lines: [string, string][];
}

export const STYLES: Styled[] = [
  {
    style: 'sshd',
    lines: [
      ['invalid', 'Invalid user webmaster from 173.234.31.186'],
      ['pamfail', 'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=173.234.31.186'],
      ['failedinv', 'Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2'],
      ['invalid', 'Invalid user oracle from 52.80.34.196'],
      ['iur', 'input_userauth_request: invalid user oracle [preauth]'],
      ['reverse', 'reverse mapping checking getaddrinfo for ns.marryaldkfaczcz.com [173.234.31.186] failed - POSSIBLE BREAK-IN ATTEMPT!'],
      ['failedinv', 'Failed password for invalid user test9 from 52.80.34.196 port 36060 ssh2'],
      ['iur', 'input_userauth_request: invalid user admin [preauth]'],
      ['invalid', 'Invalid user admin from 103.99.0.122'],
      ['failed', 'Failed password for root from 5.36.59.76 port 42393 ssh2'],
      ['reverse', 'reverse mapping checking getaddrinfo for host-static.example.net [5.36.59.76] failed - POSSIBLE BREAK-IN ATTEMPT!'],
      ['disc', 'Received disconnect from 103.99.0.122: 11: Bye Bye [preauth]'],
      ['failed', 'Failed password for fztu from 119.137.62.142 port 49116 ssh2'],
      ['accepted', 'Accepted password for fztu from 119.137.62.142 port 49116 ssh2'],
      ['opened', 'pam_unix(sshd:session): session opened for user fztu by (uid=0)'],
      ['closedby', 'Connection closed by 212.47.254.145 [preauth]'],
      ['invalid', 'Invalid user support from 212.47.254.145'],
      ['toomany', 'Disconnecting: Too many authentication failures for root [preauth]'],
      ['pamuser', 'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=5.36.59.76  user=root'],
      ['pamuser', 'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=119.137.62.142  user=fztu'],
      ['opened', 'pam_unix(sshd:session): session opened for user root by (uid=0)'],
      ['noident', 'Did not receive identification string from 185.190.58.151'],
      ['toomany', 'Disconnecting: Too many authentication failures for admin [preauth]'],
      ['closedby', 'Connection closed by 5.188.10.180 [preauth]'],
    ],
  },
  {
    style: 'proxy client',
    lines: [
      ['open', 'proxy.cse.cuhk.edu.hk:5070 open through proxy proxy.cse.cuhk.edu.hk:5070 HTTPS'],
      ['close', 'proxy.cse.cuhk.edu.hk:5070 close, 0 bytes sent, 0 bytes received, lifetime <1 sec'],
      ['open', 'www.google.com:443 open through proxy proxy.cse.cuhk.edu.hk:5070 HTTPS'],
      ['close', 'www.google.com:443 close, 1190 bytes sent, 2204 bytes received, lifetime 00:02'],
      ['closekb', 'clients4.google.com:443 close, 1190 bytes (1.16 KB) sent, 10512 bytes (10.2 KB) received, lifetime 00:05'],
      ['open', 'qa.sockets.stackexchange.com:443 open through proxy proxy.cse.cuhk.edu.hk:5070 HTTPS'],
      ['close', 'qa.sockets.stackexchange.com:443 close, 403 bytes sent, 426 bytes received, lifetime <1 sec'],
      ['error', 'ssl.gstatic.com:443 error : Could not connect to proxy proxy.cse.cuhk.edu.hk:5070 - connection attempt failed with error 10061'],
      ['closekb', 'mail.example.org:993 close, 2048 bytes (2.00 KB) sent, 4096 bytes (4.00 KB) received, lifetime 01:12'],
      ['error', 'www.example.com:80 error : Could not connect to proxy proxy.cse.cuhk.edu.hk:5070 - connection attempt failed with error 10060'],
    ],
  },
  {
    style: 'cloud compute',
    lines: [
      ['get', '10.11.10.1 "GET /v2/54fadb412c4e40cdbaed9335e4c35a9e/servers/detail HTTP/1.1" status: 200 len: 1893 time: 0.2477829'],
      ['post', '10.11.10.1 "POST /v2/e9746973ac574c6b8a9e8857f56a7608/os-server-external-events HTTP/1.1" status: 200 len: 380 time: 0.0913219'],
      ['started', '[instance: b9000564-fe1a-409b-b8cc-1e88b294cd1d] VM Started (Lifecycle Event)'],
      ['get', '10.11.10.1 "GET /v2/e9746973ac574c6b8a9e8857f56a7608/servers/detail HTTP/1.1" status: 200 len: 1910 time: 0.2808621'],
      ['took', '[instance: b9000564-fe1a-409b-b8cc-1e88b294cd1d] Took 19.84 seconds to spawn the instance on the hypervisor.'],
      ['claim', '[instance: 78dc1847-8848-49cc-933e-9239b12c9dcf] Attempting claim: memory 2048 MB, disk 20 GB, vcpus 1 CPU'],
      ['delete', '10.11.10.1 "DELETE /v2/54fadb412c4e40cdbaed9335e4c35a9e/servers/78dc1847-8848-49cc-933e-9239b12c9dcf HTTP/1.1" status: 204 len: 203 time: 0.2369320'],
      ['started', '[instance: 78dc1847-8848-49cc-933e-9239b12c9dcf] VM Started (Lifecycle Event)'],
      ['took', '[instance: 78dc1847-8848-49cc-933e-9239b12c9dcf] Took 0.61 seconds to spawn the instance on the hypervisor.'],
      ['paused', '[instance: 78dc1847-8848-49cc-933e-9239b12c9dcf] VM Paused (Lifecycle Event)'],
      ['claim', '[instance: c62f4f25-982c-4ea0-8ab7-0a8e2b6b4a6b] Attempting claim: memory 4096 MB, disk 40 GB, vcpus 2 CPU'],
      ['post', '10.11.10.1 "POST /v2/54fadb412c4e40cdbaed9335e4c35a9e/servers HTTP/1.1" status: 202 len: 733 time: 0.4987741'],
      ['record', 'Compute_service record updated for cp-1.slowvm1.tcloud-pg0.utah.cloudlab.us:cp-1.slowvm1.tcloud-pg0.utah.cloudlab.us'],
    ],
  },
  {
    style: 'phone framework',
    lines: [
      ['acquire', 'acquire lock=233570404, flags=0x1, tag="View Lock", name=com.android.systemui, ws=null, uid=10037, pid=2227'],
      ['release', 'release:lock=233570404, flg=0x0, tag="View Lock", name=com.android.systemui, ws=null, uid=10037, pid=2227'],
      ['acquire', 'acquire lock=166121161, flags=0x1, tag="View Lock", name=com.tencent.mm, ws=null, uid=10102, pid=5712'],
      ['skipping', 'Skipping 34 frames!  The application may be doing too much work on its main thread.'],
      ['release', 'release:lock=166121161, flg=0x0, tag="View Lock", name=com.tencent.mm, ws=null, uid=10102, pid=5712'],
      ['key', 'interceptKeyBeforeQueueing: key 26 , result : 1'],
      ['skipping', 'Skipping 2 frames!  The application may be doing too much work on its main thread.'],
      ['screen', 'mScreenBrightnessOverride = -1, mUserActivityTimeoutOverride = -1'],
      ['key', 'interceptKeyBeforeQueueing: key 24 , result : 0'],
    ],
  },
  {
    style: 'health app',
    lines: [
      ['stand', 'onStandStepChanged 3579'],
      ['extend', 'onExtend:1514038530000 14 0 4'],
      ['report', 'REPORT : 7028 5021 150960 240'],
      ['stand', 'onStandStepChanged 3580'],
      ['setsteps', 'setTodayTotalDetailSteps=1514038440000##7007##548365##8661##12361##27173954'],
      ['calories', 'calculateCaloriesWithCache totalCalories=126797'],
      ['extend', 'onExtend:1514038590000 0 0 4'],
      ['altitude', 'calculateAltitudeWithCache totalAltitude=240'],
      ['report', 'REPORT : 7029 5022 150990 240'],
      ['calories', 'calculateCaloriesWithCache totalCalories=126815'],
      ['flush', 'flush sensor data'],
    ],
  },
  {
    style: 'windows servicing',
    lines: [
      ['loaded', 'Loaded Servicing Stack v6.1.7601.23505 with Core: C:\\Windows\\winsxs\\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_6.1.7601.23505_none_681aa442f6fed7f0\\cbscore.dll'],
      ['session', 'Session: 30546174_2416010161 initialized by client WindowsUpdateAgent.'],
      ['readout', 'Read out cached package applicability for package: Package_for_KB2928120~31bf3856ad364e35~amd64~~6.1.1.1, ApplicableState: 112, CurrentState:112'],
      ['warn', 'Warning: Unrecognized packageExtended attribute.'],
      ['session', 'Session: 30546174_2417650169 initialized by client WindowsUpdateAgent.'],
      ['failed', 'Failed to internally open package. [HRESULT = 0x800f0805 - CBS_E_INVALID_PACKAGE]'],
      ['readout', 'Read out cached package applicability for package: Package_for_KB2931358~31bf3856ad364e35~amd64~~6.1.1.0, ApplicableState: 80, CurrentState:0'],
      ['sqm', 'SQM: Cleaning up report files older than 10 days.'],
      ['warn', 'Warning: Unrecognized packageExtended attribute.'],
    ],
  },
  {
    style: 'macos',
    lines: [
      ['wake', 'AppleCamIn::systemWakeCall - messageType = 0xE0000340'],
      ['channel', 'en0: channel changed to 1'],
      ['arpt-disable', 'ARPT: 620702.879952: AirPort_Brcm43xx::platformWoWEnable: WWEN[disable]'],
      ['wake', 'AppleCamIn::systemWakeCall - messageType = 0xE0000280'],
      ['channel', 'en0: channel changed to 132,+1'],
      ['sched', 'com.apple.cts[258]: com.apple.EscrowSecurityAlert.daily: scheduler_evaluate_activity told me to run this job; however, but the start time isn\'t for 439034 seconds.  Ignoring.'],
      ['arpt-enable', 'ARPT: 620749.901374: AirPort_Brcm43xx::platformWoWEnable: WWEN[enable]'],
      ['sched', 'com.apple.cts[258]: com.apple.CacheDelete.daily: scheduler_evaluate_activity told me to run this job; however, but the start time isn\'t for 16842 seconds.  Ignoring.'],
    ],
  },
  {
    style: 'cluster syslog',
    lines: [
      ['cron', '(root) CMD (run-parts /etc/cron.hourly)'],
      ['opened', 'session opened for user root by (uid=0)'],
      ['sync', 'synchronized to 10.100.20.250, stratum 3'],
      ['closed', 'session closed for user root'],
      ['opened', 'session opened for user dbadmin by (uid=0)'],
      ['cron', '(root) CMD (run-parts /etc/cron.daily)'],
      ['sync', 'synchronized to 10.100.18.250, stratum 2'],
      ['closed', 'session closed for user dbadmin'],
    ],
  },
];
