// The samples run one at a time: each starts a process (and most a development server) on a 2-core CI machine, and the
// stop tests time the exit to the millisecond.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
