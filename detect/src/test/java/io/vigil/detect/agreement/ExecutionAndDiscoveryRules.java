package io.vigil.detect.agreement;

import static io.vigil.detect.agreement.Exec.exec;
import static io.vigil.detect.agreement.RuleCases.hit;
import static io.vigil.detect.agreement.RuleCases.miss;
import static io.vigil.detect.agreement.RuleCases.rule;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Ten SigmaHQ process_creation rules about execution and discovery, each with cases written from
 * the rule text. The text before each event says which part of the rule it exercises.
 */
final class ExecutionAndDiscoveryRules {
  private ExecutionAndDiscoveryRules() {}

  /** What {@code file *}{@code /* *>> out} expands to: a command line well past 200 characters. */
  private static final String FILE_GLOB =
      "file "
          + IntStream.range(0, 20)
              .mapToObj(i -> "/usr/share/doc/package-" + i + "/copyright")
              .collect(Collectors.joining(" "));

  private static final String PY_SHELL = "python3 -c import os; os.system('/bin/sh')";
  private static final String TOMCAT =
      "/usr/lib/jvm/java-17-openjdk-amd64/bin/java -Dcatalina.base=/var/lib/tomcat9"
          + " org.apache.catalina.startup.Bootstrap start";
  private static final String WEBSPHERE =
      "/opt/IBM/WebSphere/AppServer/java/bin/java -Dwas.install.root=/opt/IBM/WebSphere/AppServer"
          + " com.ibm.wsspi.bootstrap.WSPreLauncher";
  private static final String LANDSCAPE = "/usr/bin/python3 /usr/bin/landscape-sysinfo";

  static final List<RuleCases> RULES =
      List.of(
          rule(
              "proc_creation_lnx_file_and_directory_discovery.yml",
              "d3feb4ee-ff1d-4d3d-bd10-5b28a238cc72",
              hit(
                  "selection_file_with_asterisk: re (.){200,} on an expanded glob",
                  exec("/usr/bin/file", FILE_GLOB),
                  "Image",
                  "CommandLine"),
              miss(
                  "selection_file_with_asterisk: a short command line",
                  exec("/usr/bin/file", "file /usr/bin/ls")),
              hit(
                  "selection_recursive_ls: contains -R",
                  exec("/usr/bin/ls", "ls -R /home"),
                  "Image",
                  "CommandLine"),
              hit(
                  "selection_recursive_ls: contains is case-insensitive, ls -r contains -R too",
                  exec("/usr/bin/ls", "ls -r /home"),
                  "Image",
                  "CommandLine"),
              miss("selection_recursive_ls: no -R", exec("/usr/bin/ls", "ls -la /home")),
              hit(
                  "selection_find_execution: the image alone",
                  exec("/usr/bin/find", "find / -name id_rsa"),
                  "Image"),
              hit("selection_tree_execution", exec("/usr/bin/tree", "tree /home"), "Image"),
              hit("selection_findmnt_execution", exec("/usr/bin/findmnt", "findmnt"), "Image"),
              hit(
                  "selection_locate_execution",
                  exec("/usr/bin/mlocate", "mlocate id_rsa"),
                  "Image"),
              miss(
                  "selection_locate_execution: endswith /mlocate, plain locate is not it",
                  exec("/usr/bin/locate", "locate id_rsa")),
              miss(
                  "selection_find_execution reads Image: find run through sudo",
                  exec("/usr/bin/sudo", "sudo find / -perm -4000"))),
          rule(
              "proc_creation_lnx_susp_inod_listing.yml",
              "43e26eb5-cd58-48d1-8ce9-a273f5d298d8",
              hit(
                  "all of selection_*: ls, ending ' /', -i and -d in one option group",
                  exec("/usr/bin/ls", "ls -id /"),
                  "Image",
                  "CommandLine"),
              hit(
                  "the long options of both regexes, and ' / ' inside the line",
                  exec("/usr/bin/ls", "ls --inode --directory / --color=never"),
                  "Image",
                  "CommandLine"),
              miss("selection_regex_dir: -i alone", exec("/usr/bin/ls", "ls -i /")),
              miss(
                  "selection_ls_cli: / must be an argument of its own",
                  exec("/usr/bin/ls", "ls -id /home")),
              miss(
                  "the regexes are case-sensitive: -I and -D are other ls options",
                  exec("/usr/bin/ls", "ls -ID /")),
              miss(
                  "selection_ls_img: the same arguments to stat",
                  exec("/usr/bin/stat", "stat -id /"))),
          rule(
              "proc_creation_lnx_git_shell_execution.yml",
              "47b3bbd4-1bf7-48cc-84ab-995362aaa75a",
              hit(
                  "ParentImage /git, ParentCommandLine contains|all ' -p ' and help, 'sh 0<&1'",
                  exec("/usr/bin/sh", "/bin/sh -c bash 0<&1")
                      .parent("/usr/bin/git", "git -p help config"),
                  "ParentImage",
                  "ParentCommandLine",
                  "CommandLine"),
              miss(
                  "ParentCommandLine contains|all: without ' -p '",
                  exec("/usr/bin/sh", "/bin/sh -c bash 0<&1")
                      .parent("/usr/bin/git", "git help config")),
              miss(
                  "ParentImage must end with /git: the same line through sudo",
                  exec("/usr/bin/sh", "/bin/sh -c bash 0<&1")
                      .parent("/usr/bin/sudo", "sudo git -p help config")),
              miss(
                  "CommandLine: the redirection in the parent's command line, not the child's",
                  exec("/usr/bin/less", "less").parent("/usr/bin/git", "git -p help sh 0<&1"))),
          rule(
              "proc_creation_lnx_python_shell_os_system.yml",
              "2d2f44ff-4611-4778-a8fc-323a0e9850cc",
              hit(
                  "selection_img first map (endswith /python3) and selection_cli",
                  exec("/usr/bin/python3", PY_SHELL),
                  "Image",
                  "CommandLine"),
              hit(
                  "selection_img second map (contains /python3.)",
                  exec("/usr/bin/python3.11", "python3.11 -c import os; os.system('/bin/bash -i')"),
                  "Image",
                  "CommandLine"),
              miss(
                  "selection_img: neither map, python3-config is no interpreter",
                  exec("/usr/bin/python3-config", PY_SHELL)),
              miss(
                  "selection_cli: no shell path in os.system",
                  exec("/usr/bin/python3", "python3 -c import os; os.system('id')")),
              miss(
                  "selection_cli contains|all: a script file, no ' -c '",
                  exec("/usr/bin/python3", "python3 /opt/tool.py os.system('/bin/sh')"))),
          rule(
              "proc_creation_lnx_rsync_shell_spawn.yml",
              "297241f3-8108-4b3a-8c15-2dda9f844594",
              hit(
                  "ParentImage /rsync, Image /sh; the filter reads CommandLine, not the parent's -e",
                  exec("/usr/bin/sh", "sh -c sh 0<&2 1>&2")
                      .parent(
                          "/usr/bin/rsync",
                          "rsync -e 'sh -c \"sh 0<&2 1>&2\"' 127.0.0.1:/dev/null"),
                  "ParentImage",
                  "Image"),
              hit(
                  "ParentImage /rsyncd, Image /dash",
                  exec("/usr/bin/dash", "dash").parent("/usr/sbin/rsyncd", "rsyncd --daemon"),
                  "ParentImage",
                  "Image"),
              miss(
                  "filter_main_expected: ' -e ' in the shell's command line",
                  exec("/usr/bin/sh", "sh -e /etc/rsync/pre-xfer.sh")
                      .parent("/usr/bin/rsync", "rsync --daemon")),
              miss(
                  "Image: rsync starting ssh, its transport, is no shell",
                  exec("/usr/bin/ssh", "ssh backup.example rsync --server")
                      .parent("/usr/bin/rsync", "rsync -a /srv backup.example:/srv")),
              miss("ParentImage: a shell started by a shell", exec("/usr/bin/bash", "bash"))),
          rule(
              "proc_creation_lnx_susp_network_utilities_execution.yml",
              "3e102cd9-a70d-4a7a-9508-403963092f31",
              hit(
                  "selection_netcat and not filter_main_netcat_listen_flag",
                  exec("/usr/bin/nc", "nc 203.0.113.9 4444"),
                  "Image"),
              miss("filter_main_netcat_listen_flag: ' -l '", exec("/usr/bin/nc", "nc -l 4444")),
              miss(
                  "filter_main_netcat_listen_flag: ' --listen '",
                  exec("/usr/bin/ncat", "ncat --listen 4444 --keep-open")),
              hit(
                  "filter_main_netcat_listen_flag is the literal ' -l ': -lvnp is not it",
                  exec("/usr/bin/nc", "nc -lvnp 4444"),
                  "Image"),
              hit(
                  "selection_network_scanning_tools is outside the negation: telnet -l user",
                  exec("/usr/bin/telnet", "telnet -l root 10.0.0.1"),
                  "Image"),
              miss(
                  "selection_netcat: endswith /nc, ncdu is another program",
                  exec("/usr/bin/ncdu", "ncdu /var")),
              hit(
                  "selection_network_scanning_tools: endswith is case-insensitive",
                  exec("/usr/bin/NMAP", "NMAP -sS 10.0.0.0/24"),
                  "Image")),
          rule(
              "proc_creation_lnx_susp_shell_child_process_from_parent_tmp_folder.yml",
              "2fade0b6-7423-4835-9d4f-335b39b83867",
              hit(
                  "ParentImage|startswith /tmp/ and a shell image",
                  exec("/usr/bin/bash", "bash -c id").parent("/tmp/.x/agent", "/tmp/.x/agent"),
                  "ParentImage",
                  "Image"),
              miss(
                  "ParentImage|startswith: /var/tmp/ is not /tmp/",
                  exec("/usr/bin/bash", "bash -c id").parent("/var/tmp/agent", "/var/tmp/agent")),
              miss(
                  "Image must be a shell",
                  exec("/usr/bin/curl", "curl http://203.0.113.9/")
                      .parent("/tmp/agent", "/tmp/agent")),
              miss(
                  "no parent: nothing starts with /tmp/",
                  exec("/usr/bin/bash", "bash -c id").noParent()),
              miss("/tmp/ in the child's image, not the parent's", exec("/tmp/sh", "sh"))),
          rule(
              "proc_creation_lnx_system_network_connections_discovery.yml",
              "4c519226-f0cd-4471-bd2f-6fbb2bb68a79",
              hit("selection: endswith /w", exec("/usr/bin/w", "w"), "Image"),
              miss(
                  "selection: endswith /w, wc is another program",
                  exec("/usr/bin/wc", "wc -l /etc/passwd")),
              hit(
                  "selection: endswith /netstat",
                  exec("/usr/bin/netstat", "netstat -tulpn"),
                  "Image"),
              miss(
                  "filter_landscape_sysinfo: who under landscape-sysinfo",
                  exec("/usr/bin/who", "who -q").parent("/usr/bin/python3", LANDSCAPE)),
              hit(
                  "filter_landscape_sysinfo names who only: last under landscape-sysinfo",
                  exec("/usr/bin/last", "last -n 5").parent("/usr/bin/python3", LANDSCAPE),
                  "Image")),
          rule(
              "proc_creation_lnx_webshell_detection.yml",
              "818f7b24-0fba-4c49-a073-8b755573b9c7",
              hit(
                  "selection_general (nginx parent) and sub_processes (whoami)",
                  exec("/usr/bin/whoami", "whoami")
                      .parent("/usr/sbin/nginx", "nginx: worker process"),
                  "ParentImage",
                  "Image"),
              hit(
                  "selection_tomcat: ParentCommandLine contains|all /bin/java and tomcat",
                  exec("/usr/bin/hostname", "hostname")
                      .parent("/usr/lib/jvm/java-17-openjdk-amd64/bin/java", TOMCAT),
                  "ParentCommandLine",
                  "Image"),
              hit(
                  "selection_websphere: ParentCommandLine contains|all /bin/java and websphere",
                  exec("/usr/bin/whoami", "whoami")
                      .parent("/opt/IBM/WebSphere/AppServer/java/bin/java", WEBSPHERE),
                  "ParentCommandLine",
                  "Image"),
              miss(
                  "1 of selection_*: a java parent that is neither tomcat nor websphere",
                  exec("/usr/bin/whoami", "whoami")
                      .parent(
                          "/usr/bin/java", "/usr/bin/java -jar /usr/share/jenkins/jenkins.war")),
              miss(
                  "sub_processes: id is not listed",
                  exec("/usr/bin/id", "id").parent("/usr/sbin/nginx", "nginx: worker process")),
              hit(
                  "sub_processes: endswith /bin/cat under apache2",
                  exec("/usr/bin/cat", "cat /etc/passwd")
                      .parent("/usr/sbin/apache2", "/usr/sbin/apache2 -k start"),
                  "ParentImage",
                  "Image"),
              miss(
                  "sub_processes: endswith /bin/cat, netcat is not cat",
                  exec("/usr/local/bin/netcat", "netcat 203.0.113.9 80")
                      .parent("/usr/sbin/apache2", "/usr/sbin/apache2 -k start")),
              miss(
                  "1 of selection_*: whoami from a login shell",
                  exec("/usr/bin/whoami", "whoami"))),
          rule(
              "proc_creation_lnx_susp_interactive_bash.yml",
              "ea3ecad2-db86-4a89-ad0b-132a10d2db55",
              hit(
                  "selection (ParentCommandLine equals 'bash -i') and anomaly2 (whoami)",
                  exec("/usr/bin/whoami", "whoami").parent("/usr/bin/bash", "bash -i"),
                  "ParentCommandLine",
                  "Image"),
              hit(
                  "1 of anomaly*: anomaly1, base64 in the command line",
                  exec("/usr/bin/base64", "base64 -d /tmp/p").parent("/usr/bin/bash", "bash -i"),
                  "ParentCommandLine",
                  "CommandLine"),
              hit(
                  "selection: a plain value compares case-insensitively",
                  exec("/usr/bin/whoami", "whoami").parent("/usr/bin/bash", "BASH -I"),
                  "ParentCommandLine",
                  "Image"),
              miss(
                  "selection: a plain value is the whole field, '/bin/bash -i' is not 'bash -i'",
                  exec("/usr/bin/whoami", "whoami").parent("/usr/bin/bash", "/bin/bash -i")),
              miss(
                  "1 of anomaly*: id from bash -i is no anomaly",
                  exec("/usr/bin/id", "id").parent("/usr/bin/bash", "bash -i"))));
}
