# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kiro_poll_global_optspecs
    string join \n url= b/bridge= config= api-key-file= json color= request-timeout= v/verbose q/quiet bridges= shard= h/help V/version
end

function __fish_kiro_poll_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kiro_poll_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kiro_poll_using_subcommand
    set -l cmd (__fish_kiro_poll_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kiro-poll -n "__fish_kiro_poll_needs_command" -l url -d 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]' -r
complete -c kiro-poll -n "__fish_kiro_poll_needs_command" -s b -l bridge -d 'A bridge named in the config file (see \'kiro-poll config\'); repeat it to follow several (status, watch); a URL works too [default: the config\'s default]' -r
complete -c kiro-poll -n "__fish_kiro_poll_needs_command" -l config -d 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform\'s equivalent]' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_needs_command" -l api-key-file -d 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_needs_command" -l color -d 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kiro-poll -n "__fish_kiro_poll_needs_command" -l request-timeout -d 'Timeout for each request to the bridge' -r
complete -c kiro-poll -n "__fish_kiro_poll_needs_command" -l bridges -d 'A bridges file: TOML (names, keys, intervals, labels), or Prometheus file_sd JSON when it ends in .json (watch reads it again when it changes and on SIGHUP)' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_needs_command" -l shard -d 'Keep only the bridges that fall to shard K of N (K from 0): N exporters over one bridges file split it with no coordination (rendezvous hashing on the name)' -r
complete -c kiro-poll -n "__fish_kiro_poll_needs_command" -l json -d 'Machine output: JSON, one object per line (NDJSON)'
complete -c kiro-poll -n "__fish_kiro_poll_needs_command" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c kiro-poll -n "__fish_kiro_poll_needs_command" -s q -l quiet -d 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
complete -c kiro-poll -n "__fish_kiro_poll_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kiro-poll -n "__fish_kiro_poll_needs_command" -s V -l version -d 'Print version'
complete -c kiro-poll -n "__fish_kiro_poll_needs_command" -f -a "status" -d 'One request: print the bridge\'s state'
complete -c kiro-poll -n "__fish_kiro_poll_needs_command" -f -a "health" -d 'Check the bridge server itself (GET /health)'
complete -c kiro-poll -n "__fish_kiro_poll_needs_command" -f -a "commands" -d 'List the Kiro commands the bridge offers, sorted'
complete -c kiro-poll -n "__fish_kiro_poll_needs_command" -f -a "watch" -d 'Follow the bridge with adaptive polling; one line (or JSON event) per change'
complete -c kiro-poll -n "__fish_kiro_poll_needs_command" -f -a "exec" -d 'Run a Kiro command on the bridge'
complete -c kiro-poll -n "__fish_kiro_poll_needs_command" -f -a "jobs" -d 'List the commands run through kiro-poll (jobs), newest first; show one'
complete -c kiro-poll -n "__fish_kiro_poll_needs_command" -f -a "wait" -d 'Wait for jobs started with exec --detach; exit as exec --wait would have'
complete -c kiro-poll -n "__fish_kiro_poll_needs_command" -f -a "input" -d 'Answer a running command\'s prompt (POST /api/kiro/input)'
complete -c kiro-poll -n "__fish_kiro_poll_needs_command" -f -a "mock-bridge" -d 'Serve a simulated bridge on localhost (for demos, scripts and tests)'
complete -c kiro-poll -n "__fish_kiro_poll_needs_command" -f -a "demo" -d 'Start the simulated bridge and watch it, in one process'
complete -c kiro-poll -n "__fish_kiro_poll_needs_command" -f -a "config" -d 'Your bridges by name: the config file (list, show, add, remove, default)'
complete -c kiro-poll -n "__fish_kiro_poll_needs_command" -f -a "mcp" -d 'Serve the bridge to AI agents: a Model Context Protocol server on stdin/stdout'
complete -c kiro-poll -n "__fish_kiro_poll_needs_command" -f -a "completions" -d 'Print a shell completion script or the man page'
complete -c kiro-poll -n "__fish_kiro_poll_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand status" -l bridges -d 'A bridges file: TOML (names, keys, intervals, labels), or Prometheus file_sd JSON when it ends in .json (watch reads it again when it changes and on SIGHUP)' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand status" -l shard -d 'Keep only the bridges that fall to shard K of N (K from 0): N exporters over one bridges file split it with no coordination (rendezvous hashing on the name)' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand status" -l max-in-flight -d 'With several bridges: at most this many requests at once' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand status" -l url -d 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand status" -s b -l bridge -d 'A bridge named in the config file (see \'kiro-poll config\'); repeat it to follow several (status, watch); a URL works too [default: the config\'s default]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand status" -l config -d 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform\'s equivalent]' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand status" -l api-key-file -d 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand status" -l color -d 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand status" -l request-timeout -d 'Timeout for each request to the bridge' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand status" -l json -d 'Machine output: JSON, one object per line (NDJSON)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand status" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand status" -s q -l quiet -d 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand status" -s V -l version -d 'Print version'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand health" -l url -d 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand health" -s b -l bridge -d 'A bridge named in the config file (see \'kiro-poll config\'); repeat it to follow several (status, watch); a URL works too [default: the config\'s default]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand health" -l config -d 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform\'s equivalent]' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand health" -l api-key-file -d 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand health" -l color -d 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand health" -l request-timeout -d 'Timeout for each request to the bridge' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand health" -l json -d 'Machine output: JSON, one object per line (NDJSON)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand health" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand health" -s q -l quiet -d 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand health" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand health" -s V -l version -d 'Print version'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand commands" -l filter -d 'Only commands containing this text (case-insensitive)' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand commands" -l url -d 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand commands" -s b -l bridge -d 'A bridge named in the config file (see \'kiro-poll config\'); repeat it to follow several (status, watch); a URL works too [default: the config\'s default]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand commands" -l config -d 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform\'s equivalent]' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand commands" -l api-key-file -d 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand commands" -l color -d 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand commands" -l request-timeout -d 'Timeout for each request to the bridge' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand commands" -l json -d 'Machine output: JSON, one object per line (NDJSON)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand commands" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand commands" -s q -l quiet -d 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand commands" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand commands" -s V -l version -d 'Print version'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand watch" -l bridges -d 'A bridges file: TOML (names, keys, intervals, labels), or Prometheus file_sd JSON when it ends in .json (watch reads it again when it changes and on SIGHUP)' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand watch" -l shard -d 'Keep only the bridges that fall to shard K of N (K from 0): N exporters over one bridges file split it with no coordination (rendezvous hashing on the name)' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand watch" -l until -d 'Exit 0 as soon as any of these is reached (an unreachable bridge is waited for): ready, busy, unavailable, change, available:ID (the bridge offers command ID), missing:ID' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand watch" -l timeout -d 'Give up after this long (exit 124, saying what was last seen)' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand watch" -l count -d 'Stop after N polls' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand watch" -l heartbeat -d 'When stdout is not a terminal, print a heartbeat once nothing was printed for this long' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand watch" -l interval-ready -d 'Poll interval while Kiro is ready [default: 10s]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand watch" -l interval-busy -d 'Poll interval while Kiro is busy [default: 2s]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand watch" -l interval-unavailable -d 'Poll interval while Kiro is unavailable [default: 30s]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand watch" -l interval-error -d 'Poll interval after the bridge answered with an error (5xx, nonsense) [default: 15s]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand watch" -l max-backoff -d 'Longest wait between polls while the bridge is unreachable [default: 1m]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand watch" -l stall-after -d 'Report a command that stays busy longer than this (once per run of it) [default: 15m]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand watch" -l metrics -d 'Serve Prometheus metrics on this address: a port means 127.0.0.1 (e.g. 9464); name the interface to expose it (0.0.0.0:9464). With -q the watch only serves' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand watch" -l max-in-flight -d 'With several bridges: at most this many requests at once' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand watch" -l on -d 'Run the program after -- for each event of these types (comma-separated, or all): the event as its JSON line on stdin and KIRO_* variables, run directly (no shell)' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand watch" -l on-max -d 'With --on: at most this many hooks run at once (more wait in a queue of 64)' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand watch" -l on-timeout -d 'With --on: end a hook and its process group after this long; at the end of the watch, running hooks get this long to finish' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand watch" -l url -d 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand watch" -s b -l bridge -d 'A bridge named in the config file (see \'kiro-poll config\'); repeat it to follow several (status, watch); a URL works too [default: the config\'s default]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand watch" -l config -d 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform\'s equivalent]' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand watch" -l api-key-file -d 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand watch" -l color -d 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand watch" -l request-timeout -d 'Timeout for each request to the bridge' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand watch" -l metrics-histograms -d 'With --metrics: a request-duration and a command-duration histogram for every bridge (30 more series each) instead of one of each for the whole fleet'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand watch" -l json -d 'Machine output: JSON, one object per line (NDJSON)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand watch" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand watch" -s q -l quiet -d 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand watch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand watch" -s V -l version -d 'Print version'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand exec" -l workspace -d 'Workspace directory the command runs in' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand exec" -l timeout -d 'With --wait: give up after this long (exit 124)' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand exec" -l follow-interval -d 'With --wait: how often to poll the status once the bridge gave up on the request' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand exec" -l store -d 'The job store\'s file (SQLite) [default: kiro-poll.db in the platform\'s state directory]' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand exec" -l keep-jobs -d 'Keep at most this many jobs (the oldest ended ones go first)' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand exec" -l keep-jobs-for -d 'Forget ended jobs sent longer ago than this' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand exec" -l url -d 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand exec" -s b -l bridge -d 'A bridge named in the config file (see \'kiro-poll config\'); repeat it to follow several (status, watch); a URL works too [default: the config\'s default]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand exec" -l config -d 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform\'s equivalent]' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand exec" -l api-key-file -d 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand exec" -l color -d 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand exec" -l request-timeout -d 'Timeout for each request to the bridge' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand exec" -l wait -d 'Wait for the command to finish, also past the bridge\'s own 30 s request limit'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand exec" -l exit-status -d 'With --wait: exit 7, not 0, when the command\'s end was seen but its result was not returned (the real bridge past its 30 s request limit), for scripts that must know it succeeded'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand exec" -l detach -d 'Send it and return at once with its job id; a follower in the background follows it as --wait does (up to --timeout) and records how it ended (kiro-poll wait ID)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand exec" -l no-store -d 'Record nothing, whatever --store says (exec without a job; --detach, jobs and wait need the store)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand exec" -l json -d 'Machine output: JSON, one object per line (NDJSON)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand exec" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand exec" -s q -l quiet -d 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand exec" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand exec" -s V -l version -d 'Print version'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand jobs; and not __fish_seen_subcommand_from show help" -l since -d 'Only jobs sent in the last DUR (1h, 2d), or, given a cursor (c42) from a previous listing, only the jobs that changed since it, oldest change first' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand jobs; and not __fish_seen_subcommand_from show help" -l limit -d 'At most this many jobs' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand jobs; and not __fish_seen_subcommand_from show help" -l store -d 'The job store\'s file (SQLite) [default: kiro-poll.db in the platform\'s state directory]' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand jobs; and not __fish_seen_subcommand_from show help" -l keep-jobs -d 'Keep at most this many jobs (the oldest ended ones go first)' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand jobs; and not __fish_seen_subcommand_from show help" -l keep-jobs-for -d 'Forget ended jobs sent longer ago than this' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand jobs; and not __fish_seen_subcommand_from show help" -l url -d 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand jobs; and not __fish_seen_subcommand_from show help" -s b -l bridge -d 'A bridge named in the config file (see \'kiro-poll config\'); repeat it to follow several (status, watch); a URL works too [default: the config\'s default]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand jobs; and not __fish_seen_subcommand_from show help" -l config -d 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform\'s equivalent]' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand jobs; and not __fish_seen_subcommand_from show help" -l api-key-file -d 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand jobs; and not __fish_seen_subcommand_from show help" -l color -d 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand jobs; and not __fish_seen_subcommand_from show help" -l request-timeout -d 'Timeout for each request to the bridge' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand jobs; and not __fish_seen_subcommand_from show help" -l running -d 'Only jobs still running'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand jobs; and not __fish_seen_subcommand_from show help" -l no-store -d 'Record nothing, whatever --store says (exec without a job; --detach, jobs and wait need the store)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand jobs; and not __fish_seen_subcommand_from show help" -l json -d 'Machine output: JSON, one object per line (NDJSON)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand jobs; and not __fish_seen_subcommand_from show help" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand jobs; and not __fish_seen_subcommand_from show help" -s q -l quiet -d 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand jobs; and not __fish_seen_subcommand_from show help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand jobs; and not __fish_seen_subcommand_from show help" -s V -l version -d 'Print version'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand jobs; and not __fish_seen_subcommand_from show help" -f -a "show" -d 'Print one job, all it holds (with --json, its object)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand jobs; and not __fish_seen_subcommand_from show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand jobs; and __fish_seen_subcommand_from show" -l url -d 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand jobs; and __fish_seen_subcommand_from show" -s b -l bridge -d 'A bridge named in the config file (see \'kiro-poll config\'); repeat it to follow several (status, watch); a URL works too [default: the config\'s default]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand jobs; and __fish_seen_subcommand_from show" -l config -d 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform\'s equivalent]' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand jobs; and __fish_seen_subcommand_from show" -l api-key-file -d 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand jobs; and __fish_seen_subcommand_from show" -l color -d 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand jobs; and __fish_seen_subcommand_from show" -l request-timeout -d 'Timeout for each request to the bridge' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand jobs; and __fish_seen_subcommand_from show" -l json -d 'Machine output: JSON, one object per line (NDJSON)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand jobs; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand jobs; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand jobs; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand jobs; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand jobs; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print one job, all it holds (with --json, its object)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand jobs; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand wait" -l timeout -d 'Give up after this long (exit 124); the jobs go on' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand wait" -l store -d 'The job store\'s file (SQLite) [default: kiro-poll.db in the platform\'s state directory]' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand wait" -l keep-jobs -d 'Keep at most this many jobs (the oldest ended ones go first)' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand wait" -l keep-jobs-for -d 'Forget ended jobs sent longer ago than this' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand wait" -l url -d 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand wait" -s b -l bridge -d 'A bridge named in the config file (see \'kiro-poll config\'); repeat it to follow several (status, watch); a URL works too [default: the config\'s default]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand wait" -l config -d 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform\'s equivalent]' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand wait" -l api-key-file -d 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand wait" -l color -d 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand wait" -l request-timeout -d 'Timeout for each request to the bridge' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand wait" -l no-store -d 'Record nothing, whatever --store says (exec without a job; --detach, jobs and wait need the store)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand wait" -l json -d 'Machine output: JSON, one object per line (NDJSON)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand wait" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand wait" -s q -l quiet -d 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand wait" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand wait" -s V -l version -d 'Print version'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand input" -l type -d 'Kind of input' -r -f -a "text\t''
choice\t''
file\t''
confirmation\t''"
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand input" -l url -d 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand input" -s b -l bridge -d 'A bridge named in the config file (see \'kiro-poll config\'); repeat it to follow several (status, watch); a URL works too [default: the config\'s default]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand input" -l config -d 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform\'s equivalent]' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand input" -l api-key-file -d 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand input" -l color -d 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand input" -l request-timeout -d 'Timeout for each request to the bridge' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand input" -l json -d 'Machine output: JSON, one object per line (NDJSON)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand input" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand input" -s q -l quiet -d 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand input" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand input" -s V -l version -d 'Print version'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and not __fish_seen_subcommand_from ctl help" -l host -d 'Address to listen on' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and not __fish_seen_subcommand_from ctl help" -l port -d 'Port to listen on (0 picks a free one)' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and not __fish_seen_subcommand_from ctl help" -l scenario -d 'Built-in scenario name (demo, steady) or a scenario file (JSON)' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and not __fish_seen_subcommand_from ctl help" -l latency -d 'Added to every answer' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and not __fish_seen_subcommand_from ctl help" -l fail-rate -d 'Share of requests answered with HTTP 500 (0.0 to 1.0)' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and not __fish_seen_subcommand_from ctl help" -l like -d 'Which bridge to play: the spec\'s (reports busy, strong ETags) or the real one of BEHAVIOUR.md (never busy, weak ETags that change with every answer); the flags below override it' -r -f -a "spec\t'openapi.yaml\'s bridge'
real\t'the shipped bridge, as BEHAVIOUR.md describes it'"
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and not __fish_seen_subcommand_from ctl help" -l server-timeout -d 'Answer an execute request with 408 after this long (the command runs on; the connection is destroyed when it ends)' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and not __fish_seen_subcommand_from ctl help" -l command-limit -d 'Free the slot of a command running this long (another may start) while it runs on and its request waits for its end, as the real bridge does after 5 minutes' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and not __fish_seen_subcommand_from ctl help" -l etag -d 'Which ETag the status carries: strong over the stable fields, weak like the real bridge (covers the timestamp), or none [default: strong; weak with --like real]' -r -f -a "strong\t''
weak\t''
none\t''"
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and not __fish_seen_subcommand_from ctl help" -l report-busy -d 'Report busy + currentCommand while a command runs [default: true; false with --like real]' -r -f -a "true\t''
false\t''"
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and not __fish_seen_subcommand_from ctl help" -l instances -d 'Serve N simulated bridges, each with its own state, on consecutive ports from --port' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and not __fish_seen_subcommand_from ctl help" -l url -d 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and not __fish_seen_subcommand_from ctl help" -s b -l bridge -d 'A bridge named in the config file (see \'kiro-poll config\'); repeat it to follow several (status, watch); a URL works too [default: the config\'s default]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and not __fish_seen_subcommand_from ctl help" -l config -d 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform\'s equivalent]' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and not __fish_seen_subcommand_from ctl help" -l api-key-file -d 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and not __fish_seen_subcommand_from ctl help" -l color -d 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and not __fish_seen_subcommand_from ctl help" -l request-timeout -d 'Timeout for each request to the bridge' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and not __fish_seen_subcommand_from ctl help" -l json -d 'Machine output: JSON, one object per line (NDJSON)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and not __fish_seen_subcommand_from ctl help" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and not __fish_seen_subcommand_from ctl help" -s q -l quiet -d 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and not __fish_seen_subcommand_from ctl help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and not __fish_seen_subcommand_from ctl help" -s V -l version -d 'Print version'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and not __fish_seen_subcommand_from ctl help" -f -a "ctl" -d 'Change a running mock-bridge: Kiro unavailable or available, its version, the commands it offers, a command started as if a client had run it, a fault for a while'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and not __fish_seen_subcommand_from ctl help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and __fish_seen_subcommand_from ctl" -l host -d 'The mock-bridge\'s address' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and __fish_seen_subcommand_from ctl" -l port -d 'The mock-bridge\'s port' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and __fish_seen_subcommand_from ctl" -l url -d 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and __fish_seen_subcommand_from ctl" -s b -l bridge -d 'A bridge named in the config file (see \'kiro-poll config\'); repeat it to follow several (status, watch); a URL works too [default: the config\'s default]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and __fish_seen_subcommand_from ctl" -l config -d 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform\'s equivalent]' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and __fish_seen_subcommand_from ctl" -l api-key-file -d 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and __fish_seen_subcommand_from ctl" -l color -d 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and __fish_seen_subcommand_from ctl" -l request-timeout -d 'Timeout for each request to the bridge' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and __fish_seen_subcommand_from ctl" -l json -d 'Machine output: JSON, one object per line (NDJSON)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and __fish_seen_subcommand_from ctl" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and __fish_seen_subcommand_from ctl" -s q -l quiet -d 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and __fish_seen_subcommand_from ctl" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and __fish_seen_subcommand_from ctl" -s V -l version -d 'Print version'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and __fish_seen_subcommand_from ctl" -f -a "unavailable" -d 'Kiro becomes unavailable (the status says so; executes answer 503)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and __fish_seen_subcommand_from ctl" -f -a "available" -d 'Kiro becomes available again'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and __fish_seen_subcommand_from ctl" -f -a "version" -d 'Kiro reports this version'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and __fish_seen_subcommand_from ctl" -f -a "add" -d 'The bridge offers this command too'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and __fish_seen_subcommand_from ctl" -f -a "remove" -d 'The bridge no longer offers this command'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and __fish_seen_subcommand_from ctl" -f -a "run" -d 'Start this command as if a client had executed it (it runs its scenario length)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and __fish_seen_subcommand_from ctl" -f -a "fault" -d 'Misbehave for a while: rate-limit (429), drop (cut connections), malformed (bad JSON), error (500)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and __fish_seen_subcommand_from ctl" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and __fish_seen_subcommand_from help" -f -a "ctl" -d 'Change a running mock-bridge: Kiro unavailable or available, its version, the commands it offers, a command started as if a client had run it, a fault for a while'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mock-bridge; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand demo" -l timeout -d 'Stop after this long' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand demo" -l count -d 'Stop after N polls' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand demo" -l instances -d 'Simulate this many bridges and watch them all (the fleet board)' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand demo" -l like -d 'Which bridge the simulators play (as mock-bridge --like)' -r -f -a "spec\t'openapi.yaml\'s bridge'
real\t'the shipped bridge, as BEHAVIOUR.md describes it'"
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand demo" -l port -d 'The port the simulated bridge listens on, on 127.0.0.1 (several: consecutive ports from it); 0, the default, takes a free one' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand demo" -l url -d 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand demo" -s b -l bridge -d 'A bridge named in the config file (see \'kiro-poll config\'); repeat it to follow several (status, watch); a URL works too [default: the config\'s default]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand demo" -l config -d 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform\'s equivalent]' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand demo" -l api-key-file -d 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand demo" -l color -d 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand demo" -l request-timeout -d 'Timeout for each request to the bridge' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand demo" -l json -d 'Machine output: JSON, one object per line (NDJSON)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand demo" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand demo" -s q -l quiet -d 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand demo" -s V -l version -d 'Print version'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and not __fish_seen_subcommand_from path list show add remove default help" -l url -d 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and not __fish_seen_subcommand_from path list show add remove default help" -s b -l bridge -d 'A bridge named in the config file (see \'kiro-poll config\'); repeat it to follow several (status, watch); a URL works too [default: the config\'s default]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and not __fish_seen_subcommand_from path list show add remove default help" -l config -d 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform\'s equivalent]' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and not __fish_seen_subcommand_from path list show add remove default help" -l api-key-file -d 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and not __fish_seen_subcommand_from path list show add remove default help" -l color -d 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and not __fish_seen_subcommand_from path list show add remove default help" -l request-timeout -d 'Timeout for each request to the bridge' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and not __fish_seen_subcommand_from path list show add remove default help" -l json -d 'Machine output: JSON, one object per line (NDJSON)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and not __fish_seen_subcommand_from path list show add remove default help" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and not __fish_seen_subcommand_from path list show add remove default help" -s q -l quiet -d 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and not __fish_seen_subcommand_from path list show add remove default help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and not __fish_seen_subcommand_from path list show add remove default help" -s V -l version -d 'Print version'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and not __fish_seen_subcommand_from path list show add remove default help" -f -a "path" -d 'Print where the config file is (or would be)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and not __fish_seen_subcommand_from path list show add remove default help" -f -a "list" -d 'The bridges the config file names (* marks the default); URLs shown redacted'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and not __fish_seen_subcommand_from path list show add remove default help" -f -a "show" -d 'The bridge a command would use, and where each setting came from'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and not __fish_seen_subcommand_from path list show add remove default help" -f -a "add" -d 'Add a bridge by name (the file and its folder are made if need be; the first one added becomes the default). No key is written: name a file or a variable that holds it'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and not __fish_seen_subcommand_from path list show add remove default help" -f -a "remove" -d 'Remove a bridge from the config file (and the default, if it was)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and not __fish_seen_subcommand_from path list show add remove default help" -f -a "default" -d 'Make a bridge of the config file the one commands use when none is named'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and not __fish_seen_subcommand_from path list show add remove default help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from path" -l url -d 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from path" -s b -l bridge -d 'A bridge named in the config file (see \'kiro-poll config\'); repeat it to follow several (status, watch); a URL works too [default: the config\'s default]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from path" -l config -d 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform\'s equivalent]' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from path" -l api-key-file -d 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from path" -l color -d 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from path" -l request-timeout -d 'Timeout for each request to the bridge' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from path" -l json -d 'Machine output: JSON, one object per line (NDJSON)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from path" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from path" -s q -l quiet -d 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from path" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from path" -s V -l version -d 'Print version'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from list" -l url -d 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from list" -s b -l bridge -d 'A bridge named in the config file (see \'kiro-poll config\'); repeat it to follow several (status, watch); a URL works too [default: the config\'s default]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from list" -l config -d 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform\'s equivalent]' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from list" -l api-key-file -d 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from list" -l color -d 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from list" -l request-timeout -d 'Timeout for each request to the bridge' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from list" -l names -d 'Only the names, one per line (for scripts and shell completion)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from list" -l json -d 'Machine output: JSON, one object per line (NDJSON)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from show" -l url -d 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from show" -s b -l bridge -d 'A bridge named in the config file (see \'kiro-poll config\'); repeat it to follow several (status, watch); a URL works too [default: the config\'s default]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from show" -l config -d 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform\'s equivalent]' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from show" -l api-key-file -d 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from show" -l color -d 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from show" -l request-timeout -d 'Timeout for each request to the bridge' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from show" -l json -d 'Machine output: JSON, one object per line (NDJSON)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from add" -l key-file -d 'A file holding its API key (kept as an absolute path)' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from add" -l key-env -d 'An environment variable holding its API key' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from add" -l url -d 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from add" -s b -l bridge -d 'A bridge named in the config file (see \'kiro-poll config\'); repeat it to follow several (status, watch); a URL works too [default: the config\'s default]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from add" -l config -d 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform\'s equivalent]' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from add" -l api-key-file -d 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from add" -l color -d 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from add" -l request-timeout -d 'Timeout for each request to the bridge' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from add" -l default -d 'Make it the default'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from add" -l json -d 'Machine output: JSON, one object per line (NDJSON)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from add" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from remove" -l url -d 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from remove" -s b -l bridge -d 'A bridge named in the config file (see \'kiro-poll config\'); repeat it to follow several (status, watch); a URL works too [default: the config\'s default]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from remove" -l config -d 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform\'s equivalent]' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from remove" -l api-key-file -d 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from remove" -l color -d 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from remove" -l request-timeout -d 'Timeout for each request to the bridge' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from remove" -l json -d 'Machine output: JSON, one object per line (NDJSON)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from default" -l url -d 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from default" -s b -l bridge -d 'A bridge named in the config file (see \'kiro-poll config\'); repeat it to follow several (status, watch); a URL works too [default: the config\'s default]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from default" -l config -d 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform\'s equivalent]' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from default" -l api-key-file -d 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from default" -l color -d 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from default" -l request-timeout -d 'Timeout for each request to the bridge' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from default" -l json -d 'Machine output: JSON, one object per line (NDJSON)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from default" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from default" -s q -l quiet -d 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from default" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from default" -s V -l version -d 'Print version'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "path" -d 'Print where the config file is (or would be)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "list" -d 'The bridges the config file names (* marks the default); URLs shown redacted'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "show" -d 'The bridge a command would use, and where each setting came from'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a bridge by name (the file and its folder are made if need be; the first one added becomes the default). No key is written: name a file or a variable that holds it'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a bridge from the config file (and the default, if it was)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "default" -d 'Make a bridge of the config file the one commands use when none is named'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mcp" -l follow-interval -d 'kiro_exec with wait: how often to poll the status once the bridge gave up on the request' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mcp" -l allow -d 'kiro_exec may run only commands matching PATTERN (repeatable; `*` matches any run of characters: `kiro.*`, `vscode.open`); any other is refused and never reaches the bridge' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mcp" -l interval-ready -d 'Poll interval while Kiro is ready [default: 10s]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mcp" -l interval-busy -d 'Poll interval while Kiro is busy [default: 2s]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mcp" -l interval-unavailable -d 'Poll interval while Kiro is unavailable [default: 30s]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mcp" -l interval-error -d 'Poll interval after the bridge answered with an error (5xx, nonsense) [default: 15s]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mcp" -l max-backoff -d 'Longest wait between polls while the bridge is unreachable [default: 1m]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mcp" -l stall-after -d 'Report a command that stays busy longer than this (once per run of it) [default: 15m]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mcp" -l store -d 'The job store\'s file (SQLite) [default: kiro-poll.db in the platform\'s state directory]' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mcp" -l keep-jobs -d 'Keep at most this many jobs (the oldest ended ones go first)' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mcp" -l keep-jobs-for -d 'Forget ended jobs sent longer ago than this' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mcp" -l url -d 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mcp" -s b -l bridge -d 'A bridge named in the config file (see \'kiro-poll config\'); repeat it to follow several (status, watch); a URL works too [default: the config\'s default]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mcp" -l config -d 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform\'s equivalent]' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mcp" -l api-key-file -d 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mcp" -l color -d 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mcp" -l request-timeout -d 'Timeout for each request to the bridge' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mcp" -l read-only -d 'Offer only what reads: kiro_status, kiro_commands, kiro_wait and kiro://status (no kiro_exec, no kiro_input)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mcp" -l offer-input -d 'Offer kiro_input too (answer a command\'s prompt by its execution id). Off by default: no bridge tells an execution id, so an agent cannot learn one'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mcp" -l no-store -d 'Record nothing, whatever --store says (exec without a job; --detach, jobs and wait need the store)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mcp" -l json -d 'Machine output: JSON, one object per line (NDJSON)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mcp" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mcp" -s q -l quiet -d 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mcp" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand mcp" -s V -l version -d 'Print version'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand completions" -l url -d 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand completions" -s b -l bridge -d 'A bridge named in the config file (see \'kiro-poll config\'); repeat it to follow several (status, watch); a URL works too [default: the config\'s default]' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand completions" -l config -d 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform\'s equivalent]' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand completions" -l api-key-file -d 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed' -r -F
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand completions" -l color -d 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand completions" -l request-timeout -d 'Timeout for each request to the bridge' -r
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand completions" -l json -d 'Machine output: JSON, one object per line (NDJSON)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand completions" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand completions" -s q -l quiet -d 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand completions" -s V -l version -d 'Print version'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand help; and not __fish_seen_subcommand_from status health commands watch exec jobs wait input mock-bridge demo config mcp completions help" -f -a "status" -d 'One request: print the bridge\'s state'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand help; and not __fish_seen_subcommand_from status health commands watch exec jobs wait input mock-bridge demo config mcp completions help" -f -a "health" -d 'Check the bridge server itself (GET /health)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand help; and not __fish_seen_subcommand_from status health commands watch exec jobs wait input mock-bridge demo config mcp completions help" -f -a "commands" -d 'List the Kiro commands the bridge offers, sorted'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand help; and not __fish_seen_subcommand_from status health commands watch exec jobs wait input mock-bridge demo config mcp completions help" -f -a "watch" -d 'Follow the bridge with adaptive polling; one line (or JSON event) per change'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand help; and not __fish_seen_subcommand_from status health commands watch exec jobs wait input mock-bridge demo config mcp completions help" -f -a "exec" -d 'Run a Kiro command on the bridge'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand help; and not __fish_seen_subcommand_from status health commands watch exec jobs wait input mock-bridge demo config mcp completions help" -f -a "jobs" -d 'List the commands run through kiro-poll (jobs), newest first; show one'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand help; and not __fish_seen_subcommand_from status health commands watch exec jobs wait input mock-bridge demo config mcp completions help" -f -a "wait" -d 'Wait for jobs started with exec --detach; exit as exec --wait would have'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand help; and not __fish_seen_subcommand_from status health commands watch exec jobs wait input mock-bridge demo config mcp completions help" -f -a "input" -d 'Answer a running command\'s prompt (POST /api/kiro/input)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand help; and not __fish_seen_subcommand_from status health commands watch exec jobs wait input mock-bridge demo config mcp completions help" -f -a "mock-bridge" -d 'Serve a simulated bridge on localhost (for demos, scripts and tests)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand help; and not __fish_seen_subcommand_from status health commands watch exec jobs wait input mock-bridge demo config mcp completions help" -f -a "demo" -d 'Start the simulated bridge and watch it, in one process'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand help; and not __fish_seen_subcommand_from status health commands watch exec jobs wait input mock-bridge demo config mcp completions help" -f -a "config" -d 'Your bridges by name: the config file (list, show, add, remove, default)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand help; and not __fish_seen_subcommand_from status health commands watch exec jobs wait input mock-bridge demo config mcp completions help" -f -a "mcp" -d 'Serve the bridge to AI agents: a Model Context Protocol server on stdin/stdout'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand help; and not __fish_seen_subcommand_from status health commands watch exec jobs wait input mock-bridge demo config mcp completions help" -f -a "completions" -d 'Print a shell completion script or the man page'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand help; and not __fish_seen_subcommand_from status health commands watch exec jobs wait input mock-bridge demo config mcp completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand help; and __fish_seen_subcommand_from jobs" -f -a "show" -d 'Print one job, all it holds (with --json, its object)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand help; and __fish_seen_subcommand_from mock-bridge" -f -a "ctl" -d 'Change a running mock-bridge: Kiro unavailable or available, its version, the commands it offers, a command started as if a client had run it, a fault for a while'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "path" -d 'Print where the config file is (or would be)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "list" -d 'The bridges the config file names (* marks the default); URLs shown redacted'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "show" -d 'The bridge a command would use, and where each setting came from'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "add" -d 'Add a bridge by name (the file and its folder are made if need be; the first one added becomes the default). No key is written: name a file or a variable that holds it'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "remove" -d 'Remove a bridge from the config file (and the default, if it was)'
complete -c kiro-poll -n "__fish_kiro_poll_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "default" -d 'Make a bridge of the config file the one commands use when none is named'
