from driftcheck.cli.app import main

raise SystemExit(main())
