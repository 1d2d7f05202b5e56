
use builtin;
use str;

set edit:completion:arg-completer[kiro-poll] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'kiro-poll'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'kiro-poll'= {
            cand --url 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]'
            cand -b 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --bridge 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --config 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]'
            cand --api-key-file 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed'
            cand --color 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)'
            cand --request-timeout 'Timeout for each request to the bridge'
            cand --bridges 'A bridges file: TOML (names, keys, intervals, labels), or Prometheus file_sd JSON when it ends in .json (watch reads it again when it changes and on SIGHUP)'
            cand --shard 'Keep only the bridges that fall to shard K of N (K from 0): N exporters over one bridges file split it with no coordination (rendezvous hashing on the name)'
            cand --json 'Machine output: JSON, one object per line (NDJSON)'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand --quiet 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand status 'One request: print the bridge''s state'
            cand health 'Check the bridge server itself (GET /health)'
            cand commands 'List the Kiro commands the bridge offers, sorted'
            cand watch 'Follow the bridge with adaptive polling; one line (or JSON event) per change'
            cand exec 'Run a Kiro command on the bridge'
            cand jobs 'List the commands run through kiro-poll (jobs), newest first; show one'
            cand wait 'Wait for jobs started with exec --detach; exit as exec --wait would have'
            cand input 'Answer a running command''s prompt (POST /api/kiro/input)'
            cand mock-bridge 'Serve a simulated bridge on localhost (for demos, scripts and tests)'
            cand demo 'Start the simulated bridge and watch it, in one process'
            cand config 'Your bridges by name: the config file (list, show, add, remove, default)'
            cand mcp 'Serve the bridge to AI agents: a Model Context Protocol server on stdin/stdout'
            cand completions 'Print a shell completion script or the man page'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kiro-poll;status'= {
            cand --bridges 'A bridges file: TOML (names, keys, intervals, labels), or Prometheus file_sd JSON when it ends in .json (watch reads it again when it changes and on SIGHUP)'
            cand --shard 'Keep only the bridges that fall to shard K of N (K from 0): N exporters over one bridges file split it with no coordination (rendezvous hashing on the name)'
            cand --max-in-flight 'With several bridges: at most this many requests at once'
            cand --url 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]'
            cand -b 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --bridge 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --config 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]'
            cand --api-key-file 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed'
            cand --color 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)'
            cand --request-timeout 'Timeout for each request to the bridge'
            cand --json 'Machine output: JSON, one object per line (NDJSON)'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand --quiet 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kiro-poll;health'= {
            cand --url 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]'
            cand -b 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --bridge 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --config 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]'
            cand --api-key-file 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed'
            cand --color 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)'
            cand --request-timeout 'Timeout for each request to the bridge'
            cand --json 'Machine output: JSON, one object per line (NDJSON)'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand --quiet 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kiro-poll;commands'= {
            cand --filter 'Only commands containing this text (case-insensitive)'
            cand --url 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]'
            cand -b 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --bridge 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --config 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]'
            cand --api-key-file 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed'
            cand --color 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)'
            cand --request-timeout 'Timeout for each request to the bridge'
            cand --json 'Machine output: JSON, one object per line (NDJSON)'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand --quiet 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kiro-poll;watch'= {
            cand --bridges 'A bridges file: TOML (names, keys, intervals, labels), or Prometheus file_sd JSON when it ends in .json (watch reads it again when it changes and on SIGHUP)'
            cand --shard 'Keep only the bridges that fall to shard K of N (K from 0): N exporters over one bridges file split it with no coordination (rendezvous hashing on the name)'
            cand --until 'Exit 0 as soon as any of these is reached (an unreachable bridge is waited for): ready, busy, unavailable, change, available:ID (the bridge offers command ID), missing:ID'
            cand --timeout 'Give up after this long (exit 124, saying what was last seen)'
            cand --count 'Stop after N polls'
            cand --heartbeat 'When stdout is not a terminal, print a heartbeat once nothing was printed for this long'
            cand --interval-ready 'Poll interval while Kiro is ready [default: 10s]'
            cand --interval-busy 'Poll interval while Kiro is busy [default: 2s]'
            cand --interval-unavailable 'Poll interval while Kiro is unavailable [default: 30s]'
            cand --interval-error 'Poll interval after the bridge answered with an error (5xx, nonsense) [default: 15s]'
            cand --max-backoff 'Longest wait between polls while the bridge is unreachable [default: 1m]'
            cand --stall-after 'Report a command that stays busy longer than this (once per run of it) [default: 15m]'
            cand --metrics 'Serve Prometheus metrics on this address: a port means 127.0.0.1 (e.g. 9464); name the interface to expose it (0.0.0.0:9464). With -q the watch only serves'
            cand --max-in-flight 'With several bridges: at most this many requests at once'
            cand --on 'Run the program after -- for each event of these types (comma-separated, or all): the event as its JSON line on stdin and KIRO_* variables, run directly (no shell)'
            cand --on-max 'With --on: at most this many hooks run at once (more wait in a queue of 64)'
            cand --on-timeout 'With --on: end a hook and its process group after this long; at the end of the watch, running hooks get this long to finish'
            cand --url 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]'
            cand -b 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --bridge 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --config 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]'
            cand --api-key-file 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed'
            cand --color 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)'
            cand --request-timeout 'Timeout for each request to the bridge'
            cand --metrics-histograms 'With --metrics: a request-duration and a command-duration histogram for every bridge (30 more series each) instead of one of each for the whole fleet'
            cand --json 'Machine output: JSON, one object per line (NDJSON)'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand --quiet 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kiro-poll;exec'= {
            cand --workspace 'Workspace directory the command runs in'
            cand --timeout 'With --wait: give up after this long (exit 124)'
            cand --follow-interval 'With --wait: how often to poll the status once the bridge gave up on the request'
            cand --store 'The job store''s file (SQLite) [default: kiro-poll.db in the platform''s state directory]'
            cand --keep-jobs 'Keep at most this many jobs (the oldest ended ones go first)'
            cand --keep-jobs-for 'Forget ended jobs sent longer ago than this'
            cand --url 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]'
            cand -b 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --bridge 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --config 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]'
            cand --api-key-file 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed'
            cand --color 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)'
            cand --request-timeout 'Timeout for each request to the bridge'
            cand --wait 'Wait for the command to finish, also past the bridge''s own 30 s request limit'
            cand --exit-status 'With --wait: exit 7, not 0, when the command''s end was seen but its result was not returned (the real bridge past its 30 s request limit), for scripts that must know it succeeded'
            cand --detach 'Send it and return at once with its job id; a follower in the background follows it as --wait does (up to --timeout) and records how it ended (kiro-poll wait ID)'
            cand --no-store 'Record nothing, whatever --store says (exec without a job; --detach, jobs and wait need the store)'
            cand --json 'Machine output: JSON, one object per line (NDJSON)'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand --quiet 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kiro-poll;jobs'= {
            cand --since 'Only jobs sent in the last DUR (1h, 2d), or, given a cursor (c42) from a previous listing, only the jobs that changed since it, oldest change first'
            cand --limit 'At most this many jobs'
            cand --store 'The job store''s file (SQLite) [default: kiro-poll.db in the platform''s state directory]'
            cand --keep-jobs 'Keep at most this many jobs (the oldest ended ones go first)'
            cand --keep-jobs-for 'Forget ended jobs sent longer ago than this'
            cand --url 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]'
            cand -b 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --bridge 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --config 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]'
            cand --api-key-file 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed'
            cand --color 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)'
            cand --request-timeout 'Timeout for each request to the bridge'
            cand --running 'Only jobs still running'
            cand --no-store 'Record nothing, whatever --store says (exec without a job; --detach, jobs and wait need the store)'
            cand --json 'Machine output: JSON, one object per line (NDJSON)'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand --quiet 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand show 'Print one job, all it holds (with --json, its object)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kiro-poll;jobs;show'= {
            cand --url 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]'
            cand -b 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --bridge 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --config 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]'
            cand --api-key-file 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed'
            cand --color 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)'
            cand --request-timeout 'Timeout for each request to the bridge'
            cand --json 'Machine output: JSON, one object per line (NDJSON)'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand --quiet 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kiro-poll;jobs;help'= {
            cand show 'Print one job, all it holds (with --json, its object)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kiro-poll;jobs;help;show'= {
        }
        &'kiro-poll;jobs;help;help'= {
        }
        &'kiro-poll;wait'= {
            cand --timeout 'Give up after this long (exit 124); the jobs go on'
            cand --store 'The job store''s file (SQLite) [default: kiro-poll.db in the platform''s state directory]'
            cand --keep-jobs 'Keep at most this many jobs (the oldest ended ones go first)'
            cand --keep-jobs-for 'Forget ended jobs sent longer ago than this'
            cand --url 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]'
            cand -b 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --bridge 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --config 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]'
            cand --api-key-file 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed'
            cand --color 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)'
            cand --request-timeout 'Timeout for each request to the bridge'
            cand --no-store 'Record nothing, whatever --store says (exec without a job; --detach, jobs and wait need the store)'
            cand --json 'Machine output: JSON, one object per line (NDJSON)'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand --quiet 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kiro-poll;input'= {
            cand --type 'Kind of input'
            cand --url 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]'
            cand -b 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --bridge 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --config 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]'
            cand --api-key-file 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed'
            cand --color 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)'
            cand --request-timeout 'Timeout for each request to the bridge'
            cand --json 'Machine output: JSON, one object per line (NDJSON)'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand --quiet 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kiro-poll;mock-bridge'= {
            cand --host 'Address to listen on'
            cand --port 'Port to listen on (0 picks a free one)'
            cand --scenario 'Built-in scenario name (demo, steady) or a scenario file (JSON)'
            cand --latency 'Added to every answer'
            cand --fail-rate 'Share of requests answered with HTTP 500 (0.0 to 1.0)'
            cand --like 'Which bridge to play: the spec''s (reports busy, strong ETags) or the real one of BEHAVIOUR.md (never busy, weak ETags that change with every answer); the flags below override it'
            cand --server-timeout 'Answer an execute request with 408 after this long (the command runs on; the connection is destroyed when it ends)'
            cand --command-limit 'Free the slot of a command running this long (another may start) while it runs on and its request waits for its end, as the real bridge does after 5 minutes'
            cand --etag 'Which ETag the status carries: strong over the stable fields, weak like the real bridge (covers the timestamp), or none [default: strong; weak with --like real]'
            cand --report-busy 'Report busy + currentCommand while a command runs [default: true; false with --like real]'
            cand --instances 'Serve N simulated bridges, each with its own state, on consecutive ports from --port'
            cand --url 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]'
            cand -b 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --bridge 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --config 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]'
            cand --api-key-file 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed'
            cand --color 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)'
            cand --request-timeout 'Timeout for each request to the bridge'
            cand --json 'Machine output: JSON, one object per line (NDJSON)'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand --quiet 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand ctl 'Change a running mock-bridge: Kiro unavailable or available, its version, the commands it offers, a command started as if a client had run it, a fault for a while'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kiro-poll;mock-bridge;ctl'= {
            cand --host 'The mock-bridge''s address'
            cand --port 'The mock-bridge''s port'
            cand --url 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]'
            cand -b 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --bridge 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --config 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]'
            cand --api-key-file 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed'
            cand --color 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)'
            cand --request-timeout 'Timeout for each request to the bridge'
            cand --json 'Machine output: JSON, one object per line (NDJSON)'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand --quiet 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand unavailable 'Kiro becomes unavailable (the status says so; executes answer 503)'
            cand available 'Kiro becomes available again'
            cand version 'Kiro reports this version'
            cand add 'The bridge offers this command too'
            cand remove 'The bridge no longer offers this command'
            cand run 'Start this command as if a client had executed it (it runs its scenario length)'
            cand fault 'Misbehave for a while: rate-limit (429), drop (cut connections), malformed (bad JSON), error (500)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kiro-poll;mock-bridge;ctl;unavailable'= {
            cand --host 'The mock-bridge''s address'
            cand --port 'The mock-bridge''s port'
            cand --url 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]'
            cand -b 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --bridge 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --config 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]'
            cand --api-key-file 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed'
            cand --color 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)'
            cand --request-timeout 'Timeout for each request to the bridge'
            cand --json 'Machine output: JSON, one object per line (NDJSON)'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand --quiet 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kiro-poll;mock-bridge;ctl;available'= {
            cand --host 'The mock-bridge''s address'
            cand --port 'The mock-bridge''s port'
            cand --url 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]'
            cand -b 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --bridge 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --config 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]'
            cand --api-key-file 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed'
            cand --color 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)'
            cand --request-timeout 'Timeout for each request to the bridge'
            cand --json 'Machine output: JSON, one object per line (NDJSON)'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand --quiet 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kiro-poll;mock-bridge;ctl;version'= {
            cand --host 'The mock-bridge''s address'
            cand --port 'The mock-bridge''s port'
            cand --url 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]'
            cand -b 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --bridge 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --config 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]'
            cand --api-key-file 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed'
            cand --color 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)'
            cand --request-timeout 'Timeout for each request to the bridge'
            cand --json 'Machine output: JSON, one object per line (NDJSON)'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand --quiet 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kiro-poll;mock-bridge;ctl;add'= {
            cand --host 'The mock-bridge''s address'
            cand --port 'The mock-bridge''s port'
            cand --url 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]'
            cand -b 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --bridge 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --config 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]'
            cand --api-key-file 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed'
            cand --color 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)'
            cand --request-timeout 'Timeout for each request to the bridge'
            cand --json 'Machine output: JSON, one object per line (NDJSON)'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand --quiet 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kiro-poll;mock-bridge;ctl;remove'= {
            cand --host 'The mock-bridge''s address'
            cand --port 'The mock-bridge''s port'
            cand --url 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]'
            cand -b 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --bridge 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --config 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]'
            cand --api-key-file 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed'
            cand --color 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)'
            cand --request-timeout 'Timeout for each request to the bridge'
            cand --json 'Machine output: JSON, one object per line (NDJSON)'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand --quiet 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kiro-poll;mock-bridge;ctl;run'= {
            cand --host 'The mock-bridge''s address'
            cand --port 'The mock-bridge''s port'
            cand --url 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]'
            cand -b 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --bridge 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --config 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]'
            cand --api-key-file 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed'
            cand --color 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)'
            cand --request-timeout 'Timeout for each request to the bridge'
            cand --json 'Machine output: JSON, one object per line (NDJSON)'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand --quiet 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kiro-poll;mock-bridge;ctl;fault'= {
            cand --for 'For how long'
            cand --host 'The mock-bridge''s address'
            cand --port 'The mock-bridge''s port'
            cand --url 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]'
            cand -b 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --bridge 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --config 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]'
            cand --api-key-file 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed'
            cand --color 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)'
            cand --request-timeout 'Timeout for each request to the bridge'
            cand --json 'Machine output: JSON, one object per line (NDJSON)'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand --quiet 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kiro-poll;mock-bridge;ctl;help'= {
            cand unavailable 'Kiro becomes unavailable (the status says so; executes answer 503)'
            cand available 'Kiro becomes available again'
            cand version 'Kiro reports this version'
            cand add 'The bridge offers this command too'
            cand remove 'The bridge no longer offers this command'
            cand run 'Start this command as if a client had executed it (it runs its scenario length)'
            cand fault 'Misbehave for a while: rate-limit (429), drop (cut connections), malformed (bad JSON), error (500)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kiro-poll;mock-bridge;ctl;help;unavailable'= {
        }
        &'kiro-poll;mock-bridge;ctl;help;available'= {
        }
        &'kiro-poll;mock-bridge;ctl;help;version'= {
        }
        &'kiro-poll;mock-bridge;ctl;help;add'= {
        }
        &'kiro-poll;mock-bridge;ctl;help;remove'= {
        }
        &'kiro-poll;mock-bridge;ctl;help;run'= {
        }
        &'kiro-poll;mock-bridge;ctl;help;fault'= {
        }
        &'kiro-poll;mock-bridge;ctl;help;help'= {
        }
        &'kiro-poll;mock-bridge;help'= {
            cand ctl 'Change a running mock-bridge: Kiro unavailable or available, its version, the commands it offers, a command started as if a client had run it, a fault for a while'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kiro-poll;mock-bridge;help;ctl'= {
            cand unavailable 'Kiro becomes unavailable (the status says so; executes answer 503)'
            cand available 'Kiro becomes available again'
            cand version 'Kiro reports this version'
            cand add 'The bridge offers this command too'
            cand remove 'The bridge no longer offers this command'
            cand run 'Start this command as if a client had executed it (it runs its scenario length)'
            cand fault 'Misbehave for a while: rate-limit (429), drop (cut connections), malformed (bad JSON), error (500)'
        }
        &'kiro-poll;mock-bridge;help;ctl;unavailable'= {
        }
        &'kiro-poll;mock-bridge;help;ctl;available'= {
        }
        &'kiro-poll;mock-bridge;help;ctl;version'= {
        }
        &'kiro-poll;mock-bridge;help;ctl;add'= {
        }
        &'kiro-poll;mock-bridge;help;ctl;remove'= {
        }
        &'kiro-poll;mock-bridge;help;ctl;run'= {
        }
        &'kiro-poll;mock-bridge;help;ctl;fault'= {
        }
        &'kiro-poll;mock-bridge;help;help'= {
        }
        &'kiro-poll;demo'= {
            cand --timeout 'Stop after this long'
            cand --count 'Stop after N polls'
            cand --instances 'Simulate this many bridges and watch them all (the fleet board)'
            cand --like 'Which bridge the simulators play (as mock-bridge --like)'
            cand --port 'The port the simulated bridge listens on, on 127.0.0.1 (several: consecutive ports from it); 0, the default, takes a free one'
            cand --url 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]'
            cand -b 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --bridge 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --config 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]'
            cand --api-key-file 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed'
            cand --color 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)'
            cand --request-timeout 'Timeout for each request to the bridge'
            cand --json 'Machine output: JSON, one object per line (NDJSON)'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand --quiet 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kiro-poll;config'= {
            cand --url 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]'
            cand -b 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --bridge 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --config 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]'
            cand --api-key-file 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed'
            cand --color 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)'
            cand --request-timeout 'Timeout for each request to the bridge'
            cand --json 'Machine output: JSON, one object per line (NDJSON)'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand --quiet 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand path 'Print where the config file is (or would be)'
            cand list 'The bridges the config file names (* marks the default); URLs shown redacted'
            cand show 'The bridge a command would use, and where each setting came from'
            cand add 'Add a bridge by name (the file and its folder are made if need be; the first one added becomes the default). No key is written: name a file or a variable that holds it'
            cand remove 'Remove a bridge from the config file (and the default, if it was)'
            cand default 'Make a bridge of the config file the one commands use when none is named'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kiro-poll;config;path'= {
            cand --url 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]'
            cand -b 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --bridge 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --config 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]'
            cand --api-key-file 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed'
            cand --color 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)'
            cand --request-timeout 'Timeout for each request to the bridge'
            cand --json 'Machine output: JSON, one object per line (NDJSON)'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand --quiet 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kiro-poll;config;list'= {
            cand --url 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]'
            cand -b 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --bridge 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --config 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]'
            cand --api-key-file 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed'
            cand --color 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)'
            cand --request-timeout 'Timeout for each request to the bridge'
            cand --names 'Only the names, one per line (for scripts and shell completion)'
            cand --json 'Machine output: JSON, one object per line (NDJSON)'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand --quiet 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kiro-poll;config;show'= {
            cand --url 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]'
            cand -b 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --bridge 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --config 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]'
            cand --api-key-file 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed'
            cand --color 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)'
            cand --request-timeout 'Timeout for each request to the bridge'
            cand --json 'Machine output: JSON, one object per line (NDJSON)'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand --quiet 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kiro-poll;config;add'= {
            cand --key-file 'A file holding its API key (kept as an absolute path)'
            cand --key-env 'An environment variable holding its API key'
            cand --url 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]'
            cand -b 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --bridge 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --config 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]'
            cand --api-key-file 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed'
            cand --color 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)'
            cand --request-timeout 'Timeout for each request to the bridge'
            cand --default 'Make it the default'
            cand --json 'Machine output: JSON, one object per line (NDJSON)'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand --quiet 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kiro-poll;config;remove'= {
            cand --url 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]'
            cand -b 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --bridge 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --config 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]'
            cand --api-key-file 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed'
            cand --color 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)'
            cand --request-timeout 'Timeout for each request to the bridge'
            cand --json 'Machine output: JSON, one object per line (NDJSON)'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand --quiet 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kiro-poll;config;default'= {
            cand --url 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]'
            cand -b 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --bridge 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --config 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]'
            cand --api-key-file 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed'
            cand --color 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)'
            cand --request-timeout 'Timeout for each request to the bridge'
            cand --json 'Machine output: JSON, one object per line (NDJSON)'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand --quiet 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kiro-poll;config;help'= {
            cand path 'Print where the config file is (or would be)'
            cand list 'The bridges the config file names (* marks the default); URLs shown redacted'
            cand show 'The bridge a command would use, and where each setting came from'
            cand add 'Add a bridge by name (the file and its folder are made if need be; the first one added becomes the default). No key is written: name a file or a variable that holds it'
            cand remove 'Remove a bridge from the config file (and the default, if it was)'
            cand default 'Make a bridge of the config file the one commands use when none is named'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kiro-poll;config;help;path'= {
        }
        &'kiro-poll;config;help;list'= {
        }
        &'kiro-poll;config;help;show'= {
        }
        &'kiro-poll;config;help;add'= {
        }
        &'kiro-poll;config;help;remove'= {
        }
        &'kiro-poll;config;help;default'= {
        }
        &'kiro-poll;config;help;help'= {
        }
        &'kiro-poll;mcp'= {
            cand --follow-interval 'kiro_exec with wait: how often to poll the status once the bridge gave up on the request'
            cand --allow 'kiro_exec may run only commands matching PATTERN (repeatable; `*` matches any run of characters: `kiro.*`, `vscode.open`); any other is refused and never reaches the bridge'
            cand --interval-ready 'Poll interval while Kiro is ready [default: 10s]'
            cand --interval-busy 'Poll interval while Kiro is busy [default: 2s]'
            cand --interval-unavailable 'Poll interval while Kiro is unavailable [default: 30s]'
            cand --interval-error 'Poll interval after the bridge answered with an error (5xx, nonsense) [default: 15s]'
            cand --max-backoff 'Longest wait between polls while the bridge is unreachable [default: 1m]'
            cand --stall-after 'Report a command that stays busy longer than this (once per run of it) [default: 15m]'
            cand --store 'The job store''s file (SQLite) [default: kiro-poll.db in the platform''s state directory]'
            cand --keep-jobs 'Keep at most this many jobs (the oldest ended ones go first)'
            cand --keep-jobs-for 'Forget ended jobs sent longer ago than this'
            cand --url 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]'
            cand -b 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --bridge 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --config 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]'
            cand --api-key-file 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed'
            cand --color 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)'
            cand --request-timeout 'Timeout for each request to the bridge'
            cand --read-only 'Offer only what reads: kiro_status, kiro_commands, kiro_wait and kiro://status (no kiro_exec, no kiro_input)'
            cand --offer-input 'Offer kiro_input too (answer a command''s prompt by its execution id). Off by default: no bridge tells an execution id, so an agent cannot learn one'
            cand --no-store 'Record nothing, whatever --store says (exec without a job; --detach, jobs and wait need the store)'
            cand --json 'Machine output: JSON, one object per line (NDJSON)'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand --quiet 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kiro-poll;completions'= {
            cand --url 'Bridge base URL; repeat it to follow several bridges (status, watch) [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]'
            cand -b 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --bridge 'A bridge named in the config file (see ''kiro-poll config''); repeat it to follow several (status, watch); a URL works too [default: the config''s default]'
            cand --config 'The config file: named bridges and the default one [default: ~/.config/kiro-poll/config.toml, or the platform''s equivalent]'
            cand --api-key-file 'File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to the bridge (mock-bridge: the key it requires); never printed'
            cand --color 'When to colour output (NO_COLOR is honoured; auto = only on a terminal)'
            cand --request-timeout 'Timeout for each request to the bridge'
            cand --json 'Machine output: JSON, one object per line (NDJSON)'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand -q 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand --quiet 'Only errors on stderr (watch --metrics: no event lines on stdout either)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kiro-poll;help'= {
            cand status 'One request: print the bridge''s state'
            cand health 'Check the bridge server itself (GET /health)'
            cand commands 'List the Kiro commands the bridge offers, sorted'
            cand watch 'Follow the bridge with adaptive polling; one line (or JSON event) per change'
            cand exec 'Run a Kiro command on the bridge'
            cand jobs 'List the commands run through kiro-poll (jobs), newest first; show one'
            cand wait 'Wait for jobs started with exec --detach; exit as exec --wait would have'
            cand input 'Answer a running command''s prompt (POST /api/kiro/input)'
            cand mock-bridge 'Serve a simulated bridge on localhost (for demos, scripts and tests)'
            cand demo 'Start the simulated bridge and watch it, in one process'
            cand config 'Your bridges by name: the config file (list, show, add, remove, default)'
            cand mcp 'Serve the bridge to AI agents: a Model Context Protocol server on stdin/stdout'
            cand completions 'Print a shell completion script or the man page'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kiro-poll;help;status'= {
        }
        &'kiro-poll;help;health'= {
        }
        &'kiro-poll;help;commands'= {
        }
        &'kiro-poll;help;watch'= {
        }
        &'kiro-poll;help;exec'= {
        }
        &'kiro-poll;help;jobs'= {
            cand show 'Print one job, all it holds (with --json, its object)'
        }
        &'kiro-poll;help;jobs;show'= {
        }
        &'kiro-poll;help;wait'= {
        }
        &'kiro-poll;help;input'= {
        }
        &'kiro-poll;help;mock-bridge'= {
            cand ctl 'Change a running mock-bridge: Kiro unavailable or available, its version, the commands it offers, a command started as if a client had run it, a fault for a while'
        }
        &'kiro-poll;help;mock-bridge;ctl'= {
            cand unavailable 'Kiro becomes unavailable (the status says so; executes answer 503)'
            cand available 'Kiro becomes available again'
            cand version 'Kiro reports this version'
            cand add 'The bridge offers this command too'
            cand remove 'The bridge no longer offers this command'
            cand run 'Start this command as if a client had executed it (it runs its scenario length)'
            cand fault 'Misbehave for a while: rate-limit (429), drop (cut connections), malformed (bad JSON), error (500)'
        }
        &'kiro-poll;help;mock-bridge;ctl;unavailable'= {
        }
        &'kiro-poll;help;mock-bridge;ctl;available'= {
        }
        &'kiro-poll;help;mock-bridge;ctl;version'= {
        }
        &'kiro-poll;help;mock-bridge;ctl;add'= {
        }
        &'kiro-poll;help;mock-bridge;ctl;remove'= {
        }
        &'kiro-poll;help;mock-bridge;ctl;run'= {
        }
        &'kiro-poll;help;mock-bridge;ctl;fault'= {
        }
        &'kiro-poll;help;demo'= {
        }
        &'kiro-poll;help;config'= {
            cand path 'Print where the config file is (or would be)'
            cand list 'The bridges the config file names (* marks the default); URLs shown redacted'
            cand show 'The bridge a command would use, and where each setting came from'
            cand add 'Add a bridge by name (the file and its folder are made if need be; the first one added becomes the default). No key is written: name a file or a variable that holds it'
            cand remove 'Remove a bridge from the config file (and the default, if it was)'
            cand default 'Make a bridge of the config file the one commands use when none is named'
        }
        &'kiro-poll;help;config;path'= {
        }
        &'kiro-poll;help;config;list'= {
        }
        &'kiro-poll;help;config;show'= {
        }
        &'kiro-poll;help;config;add'= {
        }
        &'kiro-poll;help;config;remove'= {
        }
        &'kiro-poll;help;config;default'= {
        }
        &'kiro-poll;help;mcp'= {
        }
        &'kiro-poll;help;completions'= {
        }
        &'kiro-poll;help;help'= {
        }
    ]
    $completions[$command]
}
