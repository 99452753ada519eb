// Each test runs a farm of real processes; on two cores they are steadier one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
