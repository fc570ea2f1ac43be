package dev.tensorbackend.cuda;

/**
 * Grid and block of one kernel launch, checked against the limits every CUDA device shares
 * (compute capability 7.5 and newer), so that a launcher's arithmetic error shows up as a
 * clear exception in a unit test instead of CUDA_ERROR_INVALID_VALUE on a GPU.
 */
record LaunchConfig(int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ, int sharedBytes) {
    /** gridDim.x may go up to 2^31 - 1. */
    static final int MAX_GRID_X = Integer.MAX_VALUE;
    /** gridDim.y and gridDim.z stop at 65535; kernels walk what lies beyond in loops. */
    static final int MAX_GRID_YZ = 65535;
    static final int MAX_THREADS_PER_BLOCK = 1024;
    /**
     * Blocks of a one-dimensional grid-stride launch: enough to fill any current GPU many
     * times over; each thread loops over the rest.
     */
    static final int MAX_LINEAR_BLOCKS = 65535;

    LaunchConfig {
        if (gridX < 1 || gridY < 1 || gridZ < 1 || gridY > MAX_GRID_YZ || gridZ > MAX_GRID_YZ) {
            throw new IllegalArgumentException("grid (" + gridX + ", " + gridY + ", " + gridZ + ") outside CUDA's limits");
        }
        long threads = (long) blockX * blockY * blockZ;
        if (blockX < 1 || blockY < 1 || blockZ < 1 || threads > MAX_THREADS_PER_BLOCK) {
            throw new IllegalArgumentException("block (" + blockX + ", " + blockY + ", " + blockZ + ") outside CUDA's limits");
        }
        if (sharedBytes < 0) {
            throw new IllegalArgumentException("negative dynamic shared memory " + sharedBytes);
        }
    }

    /** A one-dimensional grid-stride launch over {@code elements} (at least one) with {@code threads} per block. */
    static LaunchConfig linear(long elements, int threads) {
        if (elements < 1) {
            throw new IllegalArgumentException("a launch over " + elements + " elements: skip it instead");
        }
        return new LaunchConfig((int) Math.min(ceilDiv(elements, threads), MAX_LINEAR_BLOCKS), 1, 1, threads, 1, 1, 0);
    }

    /** One block per item (at most {@link #MAX_LINEAR_BLOCKS}; the kernel loops over the rest). */
    static LaunchConfig blockPerItem(long items, int threads) {
        if (items < 1) {
            throw new IllegalArgumentException("a launch over " + items + " items: skip it instead");
        }
        return new LaunchConfig((int) Math.min(items, MAX_LINEAR_BLOCKS), 1, 1, threads, 1, 1, 0);
    }

    static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    long blocks() {
        return (long) gridX * gridY * gridZ;
    }

    int threadsPerBlock() {
        return blockX * blockY * blockZ;
    }

    @Override
    public String toString() {
        return "grid (" + gridX + ", " + gridY + ", " + gridZ + ") x block (" + blockX + ", " + blockY + ", " + blockZ + ")";
    }
}
