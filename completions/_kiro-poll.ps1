
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'kiro-poll' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'kiro-poll'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'kiro-poll' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--bridge', '--bridge', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for each request to the bridge')
            [CompletionResult]::new('--bridges', '--bridges', [CompletionResultType]::ParameterName, 'A bridges file: TOML (names, keys, intervals, labels), or Prometheus file_sd JSON when it ends in .json (watch reads it again when it changes and on SIGHUP)')
            [CompletionResult]::new('--shard', '--shard', [CompletionResultType]::ParameterName, 'Keep only the bridges that fall to shard K of N (K from 0): N exporters over one bridges file split it with no coordination (rendezvous hashing on the name)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON, one object per line (NDJSON)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'One request: print the bridge''s state')
            [CompletionResult]::new('health', 'health', [CompletionResultType]::ParameterValue, 'Check the bridge server itself (GET /health)')
            [CompletionResult]::new('commands', 'commands', [CompletionResultType]::ParameterValue, 'List the Kiro commands the bridge offers, sorted')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Follow the bridge with adaptive polling; one line (or JSON event) per change')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Run a Kiro command on the bridge')
            [CompletionResult]::new('jobs', 'jobs', [CompletionResultType]::ParameterValue, 'List the commands run through kiro-poll (jobs), newest first; show one')
            [CompletionResult]::new('wait', 'wait', [CompletionResultType]::ParameterValue, 'Wait for jobs started with exec --detach; exit as exec --wait would have')
            [CompletionResult]::new('input', 'input', [CompletionResultType]::ParameterValue, 'Answer a running command''s prompt (POST /api/kiro/input)')
            [CompletionResult]::new('mock-bridge', 'mock-bridge', [CompletionResultType]::ParameterValue, 'Serve a simulated bridge on localhost (for demos, scripts and tests)')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Start the simulated bridge and watch it, in one process')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Your bridges by name: the config file (list, show, add, remove, default)')
            [CompletionResult]::new('mcp', 'mcp', [CompletionResultType]::ParameterValue, 'Serve the bridge to AI agents: a Model Context Protocol server on stdin/stdout')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script or the man page')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kiro-poll;status' {
            [CompletionResult]::new('--bridges', '--bridges', [CompletionResultType]::ParameterName, 'A bridges file: TOML (names, keys, intervals, labels), or Prometheus file_sd JSON when it ends in .json (watch reads it again when it changes and on SIGHUP)')
            [CompletionResult]::new('--shard', '--shard', [CompletionResultType]::ParameterName, 'Keep only the bridges that fall to shard K of N (K from 0): N exporters over one bridges file split it with no coordination (rendezvous hashing on the name)')
            [CompletionResult]::new('--max-in-flight', '--max-in-flight', [CompletionResultType]::ParameterName, 'With several bridges: at most this many requests at once')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--bridge', '--bridge', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for each request to the bridge')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON, one object per line (NDJSON)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kiro-poll;health' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--bridge', '--bridge', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for each request to the bridge')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON, one object per line (NDJSON)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kiro-poll;commands' {
            [CompletionResult]::new('--filter', '--filter', [CompletionResultType]::ParameterName, 'Only commands containing this text (case-insensitive)')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--bridge', '--bridge', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for each request to the bridge')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON, one object per line (NDJSON)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kiro-poll;watch' {
            [CompletionResult]::new('--bridges', '--bridges', [CompletionResultType]::ParameterName, 'A bridges file: TOML (names, keys, intervals, labels), or Prometheus file_sd JSON when it ends in .json (watch reads it again when it changes and on SIGHUP)')
            [CompletionResult]::new('--shard', '--shard', [CompletionResultType]::ParameterName, 'Keep only the bridges that fall to shard K of N (K from 0): N exporters over one bridges file split it with no coordination (rendezvous hashing on the name)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Exit 0 as soon as any of these is reached (an unreachable bridge is waited for): ready, busy, unavailable, change, available:ID (the bridge offers command ID), missing:ID')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up after this long (exit 124, saying what was last seen)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Stop after N polls')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'When stdout is not a terminal, print a heartbeat once nothing was printed for this long')
            [CompletionResult]::new('--interval-ready', '--interval-ready', [CompletionResultType]::ParameterName, 'Poll interval while Kiro is ready [default: 10s]')
            [CompletionResult]::new('--interval-busy', '--interval-busy', [CompletionResultType]::ParameterName, 'Poll interval while Kiro is busy [default: 2s]')
            [CompletionResult]::new('--interval-unavailable', '--interval-unavailable', [CompletionResultType]::ParameterName, 'Poll interval while Kiro is unavailable [default: 30s]')
            [CompletionResult]::new('--interval-error', '--interval-error', [CompletionResultType]::ParameterName, 'Poll interval after the bridge answered with an error (5xx, nonsense) [default: 15s]')
            [CompletionResult]::new('--max-backoff', '--max-backoff', [CompletionResultType]::ParameterName, 'Longest wait between polls while the bridge is unreachable [default: 1m]')
            [CompletionResult]::new('--stall-after', '--stall-after', [CompletionResultType]::ParameterName, 'Report a command that stays busy longer than this (once per run of it) [default: 15m]')
            [CompletionResult]::new('--metrics', '--metrics', [CompletionResultType]::ParameterName, 'Serve Prometheus metrics on this address: a port means 127.0.0.1 (e.g. 9464); name the interface to expose it (0.0.0.0:9464). With -q the watch only serves')
            [CompletionResult]::new('--max-in-flight', '--max-in-flight', [CompletionResultType]::ParameterName, 'With several bridges: at most this many requests at once')
            [CompletionResult]::new('--on', '--on', [CompletionResultType]::ParameterName, 'Run the program after -- for each event of these types (comma-separated, or all): the event as its JSON line on stdin and KIRO_* variables, run directly (no shell)')
            [CompletionResult]::new('--on-max', '--on-max', [CompletionResultType]::ParameterName, 'With --on: at most this many hooks run at once (more wait in a queue of 64)')
            [CompletionResult]::new('--on-timeout', '--on-timeout', [CompletionResultType]::ParameterName, 'With --on: end a hook and its process group after this long; at the end of the watch, running hooks get this long to finish')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--bridge', '--bridge', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for each request to the bridge')
            [CompletionResult]::new('--metrics-histograms', '--metrics-histograms', [CompletionResultType]::ParameterName, 'With --metrics: a request-duration and a command-duration histogram for every bridge (30 more series each) instead of one of each for the whole fleet')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON, one object per line (NDJSON)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kiro-poll;exec' {
            [CompletionResult]::new('--workspace', '--workspace', [CompletionResultType]::ParameterName, 'Workspace directory the command runs in')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'With --wait: give up after this long (exit 124)')
            [CompletionResult]::new('--follow-interval', '--follow-interval', [CompletionResultType]::ParameterName, 'With --wait: how often to poll the status once the bridge gave up on the request')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The job store''s file (SQLite) [default: kiro-poll.db in the platform''s state directory]')
            [CompletionResult]::new('--keep-jobs', '--keep-jobs', [CompletionResultType]::ParameterName, 'Keep at most this many jobs (the oldest ended ones go first)')
            [CompletionResult]::new('--keep-jobs-for', '--keep-jobs-for', [CompletionResultType]::ParameterName, 'Forget ended jobs sent longer ago than this')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--bridge', '--bridge', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for each request to the bridge')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Wait for the command to finish, also past the bridge''s own 30 s request limit')
            [CompletionResult]::new('--exit-status', '--exit-status', [CompletionResultType]::ParameterName, 'With --wait: exit 7, not 0, when the command''s end was seen but its result was not returned (the real bridge past its 30 s request limit), for scripts that must know it succeeded')
            [CompletionResult]::new('--detach', '--detach', [CompletionResultType]::ParameterName, 'Send it and return at once with its job id; a follower in the background follows it as --wait does (up to --timeout) and records how it ended (kiro-poll wait ID)')
            [CompletionResult]::new('--no-store', '--no-store', [CompletionResultType]::ParameterName, 'Record nothing, whatever --store says (exec without a job; --detach, jobs and wait need the store)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON, one object per line (NDJSON)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kiro-poll;jobs' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only jobs sent in the last DUR (1h, 2d), or, given a cursor (c42) from a previous listing, only the jobs that changed since it, oldest change first')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many jobs')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The job store''s file (SQLite) [default: kiro-poll.db in the platform''s state directory]')
            [CompletionResult]::new('--keep-jobs', '--keep-jobs', [CompletionResultType]::ParameterName, 'Keep at most this many jobs (the oldest ended ones go first)')
            [CompletionResult]::new('--keep-jobs-for', '--keep-jobs-for', [CompletionResultType]::ParameterName, 'Forget ended jobs sent longer ago than this')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--bridge', '--bridge', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for each request to the bridge')
            [CompletionResult]::new('--running', '--running', [CompletionResultType]::ParameterName, 'Only jobs still running')
            [CompletionResult]::new('--no-store', '--no-store', [CompletionResultType]::ParameterName, 'Record nothing, whatever --store says (exec without a job; --detach, jobs and wait need the store)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON, one object per line (NDJSON)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print one job, all it holds (with --json, its object)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kiro-poll;jobs;show' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--bridge', '--bridge', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for each request to the bridge')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON, one object per line (NDJSON)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kiro-poll;jobs;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print one job, all it holds (with --json, its object)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kiro-poll;jobs;help;show' {
            break
        }
        'kiro-poll;jobs;help;help' {
            break
        }
        'kiro-poll;wait' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up after this long (exit 124); the jobs go on')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The job store''s file (SQLite) [default: kiro-poll.db in the platform''s state directory]')
            [CompletionResult]::new('--keep-jobs', '--keep-jobs', [CompletionResultType]::ParameterName, 'Keep at most this many jobs (the oldest ended ones go first)')
            [CompletionResult]::new('--keep-jobs-for', '--keep-jobs-for', [CompletionResultType]::ParameterName, 'Forget ended jobs sent longer ago than this')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--bridge', '--bridge', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for each request to the bridge')
            [CompletionResult]::new('--no-store', '--no-store', [CompletionResultType]::ParameterName, 'Record nothing, whatever --store says (exec without a job; --detach, jobs and wait need the store)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON, one object per line (NDJSON)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kiro-poll;input' {
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Kind of input')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--bridge', '--bridge', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for each request to the bridge')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON, one object per line (NDJSON)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kiro-poll;mock-bridge' {
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Address to listen on')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port to listen on (0 picks a free one)')
            [CompletionResult]::new('--scenario', '--scenario', [CompletionResultType]::ParameterName, 'Built-in scenario name (demo, steady) or a scenario file (JSON)')
            [CompletionResult]::new('--latency', '--latency', [CompletionResultType]::ParameterName, 'Added to every answer')
            [CompletionResult]::new('--fail-rate', '--fail-rate', [CompletionResultType]::ParameterName, 'Share of requests answered with HTTP 500 (0.0 to 1.0)')
            [CompletionResult]::new('--like', '--like', [CompletionResultType]::ParameterName, 'Which bridge to play: the spec''s (reports busy, strong ETags) or the real one of BEHAVIOUR.md (never busy, weak ETags that change with every answer); the flags below override it')
            [CompletionResult]::new('--server-timeout', '--server-timeout', [CompletionResultType]::ParameterName, 'Answer an execute request with 408 after this long (the command runs on; the connection is destroyed when it ends)')
            [CompletionResult]::new('--command-limit', '--command-limit', [CompletionResultType]::ParameterName, 'Free the slot of a command running this long (another may start) while it runs on and its request waits for its end, as the real bridge does after 5 minutes')
            [CompletionResult]::new('--etag', '--etag', [CompletionResultType]::ParameterName, 'Which ETag the status carries: strong over the stable fields, weak like the real bridge (covers the timestamp), or none [default: strong; weak with --like real]')
            [CompletionResult]::new('--report-busy', '--report-busy', [CompletionResultType]::ParameterName, 'Report busy + currentCommand while a command runs [default: true; false with --like real]')
            [CompletionResult]::new('--instances', '--instances', [CompletionResultType]::ParameterName, 'Serve N simulated bridges, each with its own state, on consecutive ports from --port')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--bridge', '--bridge', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for each request to the bridge')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON, one object per line (NDJSON)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('ctl', 'ctl', [CompletionResultType]::ParameterValue, 'Change a running mock-bridge: Kiro unavailable or available, its version, the commands it offers, a command started as if a client had run it, a fault for a while')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kiro-poll;mock-bridge;ctl' {
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'The mock-bridge''s address')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The mock-bridge''s port')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--bridge', '--bridge', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for each request to the bridge')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON, one object per line (NDJSON)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('unavailable', 'unavailable', [CompletionResultType]::ParameterValue, 'Kiro becomes unavailable (the status says so; executes answer 503)')
            [CompletionResult]::new('available', 'available', [CompletionResultType]::ParameterValue, 'Kiro becomes available again')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Kiro reports this version')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'The bridge offers this command too')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'The bridge no longer offers this command')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Start this command as if a client had executed it (it runs its scenario length)')
            [CompletionResult]::new('fault', 'fault', [CompletionResultType]::ParameterValue, 'Misbehave for a while: rate-limit (429), drop (cut connections), malformed (bad JSON), error (500)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kiro-poll;mock-bridge;ctl;unavailable' {
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'The mock-bridge''s address')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The mock-bridge''s port')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--bridge', '--bridge', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for each request to the bridge')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON, one object per line (NDJSON)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kiro-poll;mock-bridge;ctl;available' {
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'The mock-bridge''s address')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The mock-bridge''s port')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--bridge', '--bridge', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for each request to the bridge')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON, one object per line (NDJSON)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kiro-poll;mock-bridge;ctl;version' {
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'The mock-bridge''s address')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The mock-bridge''s port')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--bridge', '--bridge', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for each request to the bridge')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON, one object per line (NDJSON)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kiro-poll;mock-bridge;ctl;add' {
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'The mock-bridge''s address')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The mock-bridge''s port')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--bridge', '--bridge', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for each request to the bridge')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON, one object per line (NDJSON)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kiro-poll;mock-bridge;ctl;remove' {
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'The mock-bridge''s address')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The mock-bridge''s port')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--bridge', '--bridge', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for each request to the bridge')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON, one object per line (NDJSON)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kiro-poll;mock-bridge;ctl;run' {
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'The mock-bridge''s address')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The mock-bridge''s port')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--bridge', '--bridge', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for each request to the bridge')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON, one object per line (NDJSON)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kiro-poll;mock-bridge;ctl;fault' {
            [CompletionResult]::new('--for', '--for', [CompletionResultType]::ParameterName, 'For how long')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'The mock-bridge''s address')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The mock-bridge''s port')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--bridge', '--bridge', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for each request to the bridge')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON, one object per line (NDJSON)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kiro-poll;mock-bridge;ctl;help' {
            [CompletionResult]::new('unavailable', 'unavailable', [CompletionResultType]::ParameterValue, 'Kiro becomes unavailable (the status says so; executes answer 503)')
            [CompletionResult]::new('available', 'available', [CompletionResultType]::ParameterValue, 'Kiro becomes available again')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Kiro reports this version')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'The bridge offers this command too')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'The bridge no longer offers this command')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Start this command as if a client had executed it (it runs its scenario length)')
            [CompletionResult]::new('fault', 'fault', [CompletionResultType]::ParameterValue, 'Misbehave for a while: rate-limit (429), drop (cut connections), malformed (bad JSON), error (500)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kiro-poll;mock-bridge;ctl;help;unavailable' {
            break
        }
        'kiro-poll;mock-bridge;ctl;help;available' {
            break
        }
        'kiro-poll;mock-bridge;ctl;help;version' {
            break
        }
        'kiro-poll;mock-bridge;ctl;help;add' {
            break
        }
        'kiro-poll;mock-bridge;ctl;help;remove' {
            break
        }
        'kiro-poll;mock-bridge;ctl;help;run' {
            break
        }
        'kiro-poll;mock-bridge;ctl;help;fault' {
            break
        }
        'kiro-poll;mock-bridge;ctl;help;help' {
            break
        }
        'kiro-poll;mock-bridge;help' {
            [CompletionResult]::new('ctl', 'ctl', [CompletionResultType]::ParameterValue, 'Change a running mock-bridge: Kiro unavailable or available, its version, the commands it offers, a command started as if a client had run it, a fault for a while')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kiro-poll;mock-bridge;help;ctl' {
            [CompletionResult]::new('unavailable', 'unavailable', [CompletionResultType]::ParameterValue, 'Kiro becomes unavailable (the status says so; executes answer 503)')
            [CompletionResult]::new('available', 'available', [CompletionResultType]::ParameterValue, 'Kiro becomes available again')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Kiro reports this version')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'The bridge offers this command too')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'The bridge no longer offers this command')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Start this command as if a client had executed it (it runs its scenario length)')
            [CompletionResult]::new('fault', 'fault', [CompletionResultType]::ParameterValue, 'Misbehave for a while: rate-limit (429), drop (cut connections), malformed (bad JSON), error (500)')
            break
        }
        'kiro-poll;mock-bridge;help;ctl;unavailable' {
            break
        }
        'kiro-poll;mock-bridge;help;ctl;available' {
            break
        }
        'kiro-poll;mock-bridge;help;ctl;version' {
            break
        }
        'kiro-poll;mock-bridge;help;ctl;add' {
            break
        }
        'kiro-poll;mock-bridge;help;ctl;remove' {
            break
        }
        'kiro-poll;mock-bridge;help;ctl;run' {
            break
        }
        'kiro-poll;mock-bridge;help;ctl;fault' {
            break
        }
        'kiro-poll;mock-bridge;help;help' {
            break
        }
        'kiro-poll;demo' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Stop after this long')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Stop after N polls')
            [CompletionResult]::new('--instances', '--instances', [CompletionResultType]::ParameterName, 'Simulate this many bridges and watch them all (the fleet board)')
            [CompletionResult]::new('--like', '--like', [CompletionResultType]::ParameterName, 'Which bridge the simulators play (as mock-bridge --like)')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The port the simulated bridge listens on, on 127.0.0.1 (several: consecutive ports from it); 0, the default, takes a free one')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--bridge', '--bridge', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for each request to the bridge')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON, one object per line (NDJSON)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kiro-poll;config' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--bridge', '--bridge', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for each request to the bridge')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON, one object per line (NDJSON)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print where the config file is (or would be)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'The bridges the config file names (* marks the default); URLs shown redacted')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'The bridge a command would use, and where each setting came from')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a bridge by name (the file and its folder are made if need be; the first one added becomes the default). No key is written: name a file or a variable that holds it')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a bridge from the config file (and the default, if it was)')
            [CompletionResult]::new('default', 'default', [CompletionResultType]::ParameterValue, 'Make a bridge of the config file the one commands use when none is named')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kiro-poll;config;path' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--bridge', '--bridge', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for each request to the bridge')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON, one object per line (NDJSON)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kiro-poll;config;list' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--bridge', '--bridge', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for each request to the bridge')
            [CompletionResult]::new('--names', '--names', [CompletionResultType]::ParameterName, 'Only the names, one per line (for scripts and shell completion)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON, one object per line (NDJSON)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kiro-poll;config;show' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--bridge', '--bridge', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for each request to the bridge')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON, one object per line (NDJSON)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kiro-poll;config;add' {
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'A file holding its API key (kept as an absolute path)')
            [CompletionResult]::new('--key-env', '--key-env', [CompletionResultType]::ParameterName, 'An environment variable holding its API key')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--bridge', '--bridge', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for each request to the bridge')
            [CompletionResult]::new('--default', '--default', [CompletionResultType]::ParameterName, 'Make it the default')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON, one object per line (NDJSON)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kiro-poll;config;remove' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--bridge', '--bridge', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for each request to the bridge')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON, one object per line (NDJSON)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kiro-poll;config;default' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--bridge', '--bridge', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for each request to the bridge')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON, one object per line (NDJSON)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kiro-poll;config;help' {
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print where the config file is (or would be)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'The bridges the config file names (* marks the default); URLs shown redacted')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'The bridge a command would use, and where each setting came from')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a bridge by name (the file and its folder are made if need be; the first one added becomes the default). No key is written: name a file or a variable that holds it')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a bridge from the config file (and the default, if it was)')
            [CompletionResult]::new('default', 'default', [CompletionResultType]::ParameterValue, 'Make a bridge of the config file the one commands use when none is named')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kiro-poll;config;help;path' {
            break
        }
        'kiro-poll;config;help;list' {
            break
        }
        'kiro-poll;config;help;show' {
            break
        }
        'kiro-poll;config;help;add' {
            break
        }
        'kiro-poll;config;help;remove' {
            break
        }
        'kiro-poll;config;help;default' {
            break
        }
        'kiro-poll;config;help;help' {
            break
        }
        'kiro-poll;mcp' {
            [CompletionResult]::new('--follow-interval', '--follow-interval', [CompletionResultType]::ParameterName, 'kiro_exec with wait: how often to poll the status once the bridge gave up on the request')
            [CompletionResult]::new('--allow', '--allow', [CompletionResultType]::ParameterName, 'kiro_exec may run only commands matching PATTERN (repeatable; `*` matches any run of characters: `kiro.*`, `vscode.open`); any other is refused and never reaches the bridge')
            [CompletionResult]::new('--interval-ready', '--interval-ready', [CompletionResultType]::ParameterName, 'Poll interval while Kiro is ready [default: 10s]')
            [CompletionResult]::new('--interval-busy', '--interval-busy', [CompletionResultType]::ParameterName, 'Poll interval while Kiro is busy [default: 2s]')
            [CompletionResult]::new('--interval-unavailable', '--interval-unavailable', [CompletionResultType]::ParameterName, 'Poll interval while Kiro is unavailable [default: 30s]')
            [CompletionResult]::new('--interval-error', '--interval-error', [CompletionResultType]::ParameterName, 'Poll interval after the bridge answered with an error (5xx, nonsense) [default: 15s]')
            [CompletionResult]::new('--max-backoff', '--max-backoff', [CompletionResultType]::ParameterName, 'Longest wait between polls while the bridge is unreachable [default: 1m]')
            [CompletionResult]::new('--stall-after', '--stall-after', [CompletionResultType]::ParameterName, 'Report a command that stays busy longer than this (once per run of it) [default: 15m]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The job store''s file (SQLite) [default: kiro-poll.db in the platform''s state directory]')
            [CompletionResult]::new('--keep-jobs', '--keep-jobs', [CompletionResultType]::ParameterName, 'Keep at most this many jobs (the oldest ended ones go first)')
            [CompletionResult]::new('--keep-jobs-for', '--keep-jobs-for', [CompletionResultType]::ParameterName, 'Forget ended jobs sent longer ago than this')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--bridge', '--bridge', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for each request to the bridge')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Offer only what reads: kiro_status, kiro_commands, kiro_wait and kiro://status (no kiro_exec, no kiro_input)')
            [CompletionResult]::new('--offer-input', '--offer-input', [CompletionResultType]::ParameterName, 'Offer kiro_input too (answer a command''s prompt by its execution id). Off by default: no bridge tells an execution id, so an agent cannot learn one')
            [CompletionResult]::new('--no-store', '--no-store', [CompletionResultType]::ParameterName, 'Record nothing, whatever --store says (exec without a job; --detach, jobs and wait need the store)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON, one object per line (NDJSON)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kiro-poll;completions' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--bridge', '--bridge', [CompletionResultType]::ParameterName, 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for each request to the bridge')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON, one object per line (NDJSON)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr (watch --metrics: no event lines on stdout either)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kiro-poll;help' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'One request: print the bridge''s state')
            [CompletionResult]::new('health', 'health', [CompletionResultType]::ParameterValue, 'Check the bridge server itself (GET /health)')
            [CompletionResult]::new('commands', 'commands', [CompletionResultType]::ParameterValue, 'List the Kiro commands the bridge offers, sorted')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Follow the bridge with adaptive polling; one line (or JSON event) per change')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Run a Kiro command on the bridge')
            [CompletionResult]::new('jobs', 'jobs', [CompletionResultType]::ParameterValue, 'List the commands run through kiro-poll (jobs), newest first; show one')
            [CompletionResult]::new('wait', 'wait', [CompletionResultType]::ParameterValue, 'Wait for jobs started with exec --detach; exit as exec --wait would have')
            [CompletionResult]::new('input', 'input', [CompletionResultType]::ParameterValue, 'Answer a running command''s prompt (POST /api/kiro/input)')
            [CompletionResult]::new('mock-bridge', 'mock-bridge', [CompletionResultType]::ParameterValue, 'Serve a simulated bridge on localhost (for demos, scripts and tests)')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Start the simulated bridge and watch it, in one process')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Your bridges by name: the config file (list, show, add, remove, default)')
            [CompletionResult]::new('mcp', 'mcp', [CompletionResultType]::ParameterValue, 'Serve the bridge to AI agents: a Model Context Protocol server on stdin/stdout')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script or the man page')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kiro-poll;help;status' {
            break
        }
        'kiro-poll;help;health' {
            break
        }
        'kiro-poll;help;commands' {
            break
        }
        'kiro-poll;help;watch' {
            break
        }
        'kiro-poll;help;exec' {
            break
        }
        'kiro-poll;help;jobs' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print one job, all it holds (with --json, its object)')
            break
        }
        'kiro-poll;help;jobs;show' {
            break
        }
        'kiro-poll;help;wait' {
            break
        }
        'kiro-poll;help;input' {
            break
        }
        'kiro-poll;help;mock-bridge' {
            [CompletionResult]::new('ctl', 'ctl', [CompletionResultType]::ParameterValue, 'Change a running mock-bridge: Kiro unavailable or available, its version, the commands it offers, a command started as if a client had run it, a fault for a while')
            break
        }
        'kiro-poll;help;mock-bridge;ctl' {
            [CompletionResult]::new('unavailable', 'unavailable', [CompletionResultType]::ParameterValue, 'Kiro becomes unavailable (the status says so; executes answer 503)')
            [CompletionResult]::new('available', 'available', [CompletionResultType]::ParameterValue, 'Kiro becomes available again')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Kiro reports this version')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'The bridge offers this command too')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'The bridge no longer offers this command')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Start this command as if a client had executed it (it runs its scenario length)')
            [CompletionResult]::new('fault', 'fault', [CompletionResultType]::ParameterValue, 'Misbehave for a while: rate-limit (429), drop (cut connections), malformed (bad JSON), error (500)')
            break
        }
        'kiro-poll;help;mock-bridge;ctl;unavailable' {
            break
        }
        'kiro-poll;help;mock-bridge;ctl;available' {
            break
        }
        'kiro-poll;help;mock-bridge;ctl;version' {
            break
        }
        'kiro-poll;help;mock-bridge;ctl;add' {
            break
        }
        'kiro-poll;help;mock-bridge;ctl;remove' {
            break
        }
        'kiro-poll;help;mock-bridge;ctl;run' {
            break
        }
        'kiro-poll;help;mock-bridge;ctl;fault' {
            break
        }
        'kiro-poll;help;demo' {
            break
        }
        'kiro-poll;help;config' {
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print where the config file is (or would be)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'The bridges the config file names (* marks the default); URLs shown redacted')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'The bridge a command would use, and where each setting came from')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a bridge by name (the file and its folder are made if need be; the first one added becomes the default). No key is written: name a file or a variable that holds it')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a bridge from the config file (and the default, if it was)')
            [CompletionResult]::new('default', 'default', [CompletionResultType]::ParameterValue, 'Make a bridge of the config file the one commands use when none is named')
            break
        }
        'kiro-poll;help;config;path' {
            break
        }
        'kiro-poll;help;config;list' {
            break
        }
        'kiro-poll;help;config;show' {
            break
        }
        'kiro-poll;help;config;add' {
            break
        }
        'kiro-poll;help;config;remove' {
            break
        }
        'kiro-poll;help;config;default' {
            break
        }
        'kiro-poll;help;mcp' {
            break
        }
        'kiro-poll;help;completions' {
            break
        }
        'kiro-poll;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
