// Every test starts a daemon, frontends and iperf3 on a small shared machine: one at a time keeps
// the timeouts honest and the iperf3 figures meaningful.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
