from tests.benchmarks.run import main

raise SystemExit(main())
