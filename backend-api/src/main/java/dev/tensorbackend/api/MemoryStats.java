package dev.tensorbackend.api;

/**
 * What a backend holds in memory for its tensors, as {@link Backend#memoryStats()} reports it.
 *
 * @param liveBytes        bytes held by tensors that are not closed yet (a backend that rounds
 *                         allocations up counts the rounded size)
 * @param cachedBytes      bytes of closed tensors kept for reuse instead of being returned to
 *                         the system; 0 where the backend keeps no cache
 * @param peakBytes        the highest {@code liveBytes} seen since the backend was created
 * @param driverAllocations calls to the device driver's allocator so far; 0 where there is no driver
 * @param driverFrees      calls to the device driver's free so far; 0 where there is no driver
 */
public record MemoryStats(long liveBytes, long cachedBytes, long peakBytes, long driverAllocations, long driverFrees) {

    /** {@code live=N cached=N peak=N driver_allocs=N driver_frees=N}, the line the CLI prints. */
    public String line() {
        return "live=" + liveBytes + " cached=" + cachedBytes + " peak=" + peakBytes
                + " driver_allocs=" + driverAllocations + " driver_frees=" + driverFrees;
    }
}
