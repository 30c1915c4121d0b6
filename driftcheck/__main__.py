from driftcheck.cli.entry import main

raise SystemExit(main())
