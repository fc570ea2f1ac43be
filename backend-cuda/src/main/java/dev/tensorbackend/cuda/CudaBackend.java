package dev.tensorbackend.cuda;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

import dev.tensorbackend.api.AbstractBackend;
import dev.tensorbackend.api.BackendException;
import dev.tensorbackend.api.Conv2dGeometry;
import dev.tensorbackend.api.MatmulDims;
import dev.tensorbackend.api.MemoryStats;
import dev.tensorbackend.api.Shape;
import jcuda.CudaException;
import jcuda.driver.CUdeviceptr;

/**
 * The CUDA backend: tensors live in device memory and every op is one of our kernels (or
 * cuBLAS for matmul when asked for), queued on the backend's one stream. Data crosses the bus
 * only in {@link #upload} and {@link #download}. A closed tensor's memory goes back to the
 * backend's {@link CachingAllocator} for the next tensor of its size class; {@link #trimCache()}
 * returns the cache to the driver, and {@link #close()} frees everything, open tensors included.
 *
 * <p>System properties, read when the backend is created: {@value #MATMUL_PROPERTY}
 * ({@code kernel}, the default, or {@code cublas}), {@value #MATMUL_KERNEL_PROPERTY} ({@code auto},
 * the default: the launch rule picks a matmul kernel per call; or one kernel's name, such as
 * {@code tile128} or {@code warp128}, for every call, to measure it), {@value #CONV_KERNEL_PROPERTY}
 * ({@code auto}, the default: direct kernels for tiny filters, implicit GEMMs otherwise;
 * {@code direct}; or {@code gemm}, the GEMMs for every convolution, to time the two),
 * {@value #SOFTMAX_KERNEL_PROPERTY} ({@code auto}, the default: the fused forward kernel for rows
 * of 1025 to 8192 columns; {@code fused}; or {@code block}, the block kernel it replaced, to time
 * the two) and {@value #DEBUG_PROPERTY} ({@code true}: synchronise after every launch so a failing kernel is named).
 *
 * <p>Threads: the backend's maps, its allocator and its one stream are not safe for concurrent
 * use, so every public call (and every tensor release) holds one lock for its length and makes
 * the CUDA context current on the calling thread first. Many threads may share one backend;
 * their calls run one at a time, in the order they get the lock.
 */
public final class CudaBackend extends AbstractBackend<CudaTensor> {
    public static final String NAME = "cuda";
    public static final String DEBUG_PROPERTY = "tensor.cuda.debug";
    public static final String MATMUL_PROPERTY = "tensor.cuda.matmul";
    public static final String MATMUL_KERNEL_PROPERTY = MatmulLauncher.KERNEL_PROPERTY;
    public static final String CONV_KERNEL_PROPERTY = Conv2dLauncher.KERNEL_PROPERTY;
    public static final String SOFTMAX_KERNEL_PROPERTY = SoftmaxLauncher.KERNEL_PROPERTY;

    private final Device device;
    private final CachingAllocator memory;
    private final Set<CudaTensor> live = Collections.newSetFromMap(new IdentityHashMap<>());
    private final MatmulLauncher matmul;
    private final Conv2dLauncher conv2d;
    private final SoftmaxLauncher softmax;
    private final ElementwiseLauncher elementwise;
    private final CublasMatmul cublas;
    /** One call at a time: see the class comment. Reentrant, as close() releases tensors while holding it. */
    private final ReentrantLock lock = new ReentrantLock();

    private CudaBackend(Device device, CublasMatmul cublas, MatmulLauncher.Tiling forcedMatmul, Conv2dLauncher.Kernels conv,
                        SoftmaxLauncher.Kernels softmaxKernels) {
        super(CudaTensor.class);
        this.device = device;
        this.memory = new CachingAllocator(device);
        this.cublas = cublas;
        this.matmul = new MatmulLauncher(device, forcedMatmul);
        this.conv2d = new Conv2dLauncher(device, conv);
        this.softmax = new SoftmaxLauncher(device, softmaxKernels);
        this.elementwise = new ElementwiseLauncher(device);
    }

    /** The backend on another device (tests: the kernels executed on the CPU); matmul by our kernel. */
    static CudaBackend on(Device device) {
        return new CudaBackend(device, null, null, Conv2dLauncher.Kernels.AUTO, SoftmaxLauncher.Kernels.AUTO);
    }

    /** As {@link #on(Device)}, with every matmul by {@code forcedMatmul} (null: the launch rule). */
    static CudaBackend on(Device device, MatmulLauncher.Tiling forcedMatmul) {
        return new CudaBackend(device, null, forcedMatmul, Conv2dLauncher.Kernels.AUTO, SoftmaxLauncher.Kernels.AUTO);
    }

    /** As {@link #on(Device)}, with the convolution kernels chosen by {@code conv}. */
    static CudaBackend on(Device device, Conv2dLauncher.Kernels conv) {
        return new CudaBackend(device, null, null, conv, SoftmaxLauncher.Kernels.AUTO);
    }

    /** As {@link #on(Device)}, with the softmax forward kernels chosen by {@code softmaxKernels}. */
    static CudaBackend on(Device device, SoftmaxLauncher.Kernels softmaxKernels) {
        return new CudaBackend(device, null, null, Conv2dLauncher.Kernels.AUTO, softmaxKernels);
    }

    /** Opens device 0 with the given kernels; {@code err} hears about a cuBLAS fallback. */
    static CudaBackend open(PtxResources ptx, Properties properties, PrintStream err) {
        MatmulPath path = MatmulPath.parse(properties.getProperty(MATMUL_PROPERTY));
        MatmulLauncher.Tiling forced = MatmulLauncher.forcedTiling(properties.getProperty(MATMUL_KERNEL_PROPERTY));
        Conv2dLauncher.Kernels conv = Conv2dLauncher.Kernels.parse(properties.getProperty(CONV_KERNEL_PROPERTY));
        SoftmaxLauncher.Kernels softmaxKernels = SoftmaxLauncher.Kernels.parse(properties.getProperty(SOFTMAX_KERNEL_PROPERTY));
        boolean debug = Boolean.parseBoolean(properties.getProperty(DEBUG_PROPERTY));
        CudaContext context;
        try {
            context = CudaContext.open(ptx, debug);
        } catch (CudaException e) {
            throw new BackendException("cuda: opening device 0 failed: " + e.getMessage(), e);
        }
        CublasMatmul cublas = path == MatmulPath.CUBLAS ? CublasMatmul.tryOpen(err, context.stream()) : null;
        return new CudaBackend(context, cublas, forced, conv, softmaxKernels);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The matmul kernel forced for every call ({@code tile128}, ...), or {@code auto}. */
    public String matmulKernel() {
        MatmulLauncher.Tiling t = matmul.forced();
        return t == null ? MatmulLauncher.AUTO : t.shortName();
    }

    /** Which convolution kernels run: {@code auto} (the launch rule), {@code direct} or {@code gemm}. */
    public String convKernel() {
        return conv2d.kernels().label();
    }

    /** Which softmax forward kernel runs rows longer than 1024: {@code auto} (the launch rule), {@code fused} or {@code block}. */
    public String softmaxKernel() {
        return softmax.kernels().label();
    }

    /** The matmul code in use: CUBLAS only when asked for and available. */
    public String matmulPath() {
        return (cublas != null ? MatmulPath.CUBLAS : MatmulPath.KERNEL).name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Device allocations this backend's open tensors hold now (cached blocks not counted). */
    public int liveAllocations() {
        try (Guard g = guard("liveAllocations")) {
            return memory.liveCount();
        }
    }

    /** Bytes this backend's open tensors hold now, each rounded up to its size class. */
    public long liveBytes() {
        try (Guard g = guard("liveBytes")) {
            return memory.liveBytes();
        }
    }

    /**
     * Live, cached and peak bytes (peak of live) and the cuMemAlloc / cuMemFree calls so far.
     * Sizes are the allocator's size classes, not the bytes asked for; see {@link CachingAllocator}.
     */
    @Override
    public MemoryStats memoryStats() {
        try (Guard g = guard("memoryStats")) {
            return memory.stats();
        }
    }

    /**
     * Returns the blocks of closed tensors to the driver (cuMemFree), after the work queued so
     * far; open tensors keep theirs. The bytes freed; 0 after {@link #close()}.
     */
    public long trimCache() {
        try (Guard g = guard("trimCache")) {
            return isClosed() ? 0 : memory.trim();
        }
    }

    /** Holds the lock and makes the context current on this thread (unless the backend is closed). */
    @Override
    protected Guard guard(String op) {
        lock.lock();
        try {
            if (!isClosed()) {
                device.makeCurrent();
            }
        } catch (RuntimeException e) {
            lock.unlock();
            throw e;
        }
        return lock::unlock;
    }

    // ---- memory --------------------------------------------------------------------------

    /** A tensor whose contents the caller's kernel writes completely. */
    private CudaTensor newTensor(Shape shape, String forWhat) {
        CUdeviceptr p = memory.allocate((long) shape.size() * Float.BYTES, forWhat + " " + shape);
        CudaTensor t = new CudaTensor(this, shape, p);
        live.add(t);
        return t;
    }

    void release(CudaTensor t) {
        lock.lock(); // a tensor may be closed on another thread than the one running an op
        try {
            if (live.remove(t)) {
                // no driver call, so no need to make the context current; see CachingAllocator on reuse
                memory.release(t.pointer());
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    protected CudaTensor allocate(Shape shape, float[] data) {
        CudaTensor t = newTensor(shape, "upload");
        if (data.length > 0) {
            device.copyToDevice(t.pointer(), data);
        }
        return t;
    }

    @Override
    protected CudaTensor allocateZeros(Shape shape) {
        CudaTensor t = newTensor(shape, "zeros");
        if (shape.size() > 0) {
            device.fillWithZeros(t.pointer(), shape.size());
        }
        return t;
    }

    @Override
    protected float[] read(CudaTensor t) {
        float[] out = new float[t.size()];
        if (out.length > 0) {
            device.copyToHost(out, t.pointer(), "download of " + t.shape());
        }
        return out;
    }

    @Override
    protected CudaTensor copyAs(CudaTensor x, Shape shape) {
        CudaTensor t = newTensor(shape, "reshape");
        if (t.size() > 0) {
            device.copyOnDevice(t.pointer(), x.pointer(), t.size());
        }
        return t;
    }

    // ---- ops -----------------------------------------------------------------------------

    @Override
    protected CudaTensor doMatmul(CudaTensor a, CudaTensor b, MatmulDims dims) {
        if (cublas != null && MatmulLauncher.hasWork(dims)) {
            if (dims.k() == 0) {
                return allocateZeros(dims.outShape());
            }
            CudaTensor c = newTensor(dims.outShape(), "matmul");
            cublas.matmul(a.pointer(), b.pointer(), c.pointer(), dims);
            return c;
        }
        CudaTensor c = newTensor(dims.outShape(), "matmul");
        int slices = MatmulLauncher.kSlices(dims);
        if (slices == 1) {
            matmul.matmul(a.pointer(), b.pointer(), c.pointer(), dims);
            return c;
        }
        // a weight gradient: slices of K as one batched product, then their sum in slice order
        long partialFloats = (long) slices * dims.m() * dims.n();
        CUdeviceptr partials = memory.allocate(partialFloats * Float.BYTES, "matmul partial sums over slices of K");
        try {
            matmul.matmul(a.pointer(), b.pointer(), partials, MatmulLauncher.sliced(dims, slices));
            elementwise.sumToAxis(partials, c.pointer(), slices, dims.m() * dims.n(), 1);
        } finally {
            memory.release(partials); // back to the cache: whatever reuses it is queued after the sum
        }
        return c;
    }

    @Override
    protected CudaTensor doConv2d(CudaTensor input, CudaTensor filter, Conv2dGeometry g) {
        CudaTensor out = newTensor(g.outputShape(), "conv2d");
        conv2d.forward(input.pointer(), filter.pointer(), out.pointer(), g);
        return out;
    }

    @Override
    protected CudaTensor doConv2dBackwardInput(CudaTensor gradOutput, CudaTensor filter, Conv2dGeometry g) {
        CudaTensor gradInput = newTensor(g.inputShape(), "conv2dBackwardInput");
        conv2d.backwardInput(gradOutput.pointer(), filter.pointer(), gradInput.pointer(), g);
        return gradInput;
    }

    @Override
    protected CudaTensor doConv2dBackwardFilter(CudaTensor input, CudaTensor gradOutput, Conv2dGeometry g) {
        CudaTensor gradFilter = newTensor(g.filterShape(), "conv2dBackwardFilter");
        long scratch = conv2d.partialSumFloats(g);
        CUdeviceptr partials = scratch > 0 ? memory.allocate(scratch * Float.BYTES, "conv2d backward-filter partial sums") : null;
        try {
            conv2d.backwardFilter(input.pointer(), gradOutput.pointer(), gradFilter.pointer(), partials, g);
        } finally {
            if (partials != null) {
                memory.release(partials); // back to the cache: whatever reuses it is queued after the reduction
            }
        }
        return gradFilter;
    }

    @Override
    protected CudaTensor doSoftmax(CudaTensor x, int rows, int cols) {
        CudaTensor y = newTensor(x.shape(), "softmax");
        softmax.forward(x.pointer(), y.pointer(), rows, cols);
        return y;
    }

    @Override
    protected CudaTensor doSoftmaxBackward(CudaTensor y, CudaTensor gradY, int rows, int cols) {
        CudaTensor dx = newTensor(y.shape(), "softmaxBackward");
        softmax.backward(y.pointer(), gradY.pointer(), dx.pointer(), rows, cols);
        return dx;
    }

    @Override
    protected CudaTensor doAddBias(CudaTensor x, CudaTensor bias, int outer, int len, int inner) {
        CudaTensor y = newTensor(x.shape(), "addBias");
        elementwise.addBias(x.pointer(), bias.pointer(), y.pointer(), outer, len, inner);
        return y;
    }

    @Override
    protected CudaTensor doSumToAxis(CudaTensor x, int outer, int len, int inner) {
        CudaTensor out = newTensor(Shape.of(len), "sumToAxis");
        elementwise.sumToAxis(x.pointer(), out.pointer(), outer, len, inner);
        return out;
    }

    @Override
    protected CudaTensor doRelu(CudaTensor x) {
        CudaTensor y = newTensor(x.shape(), "relu");
        elementwise.relu(x.pointer(), y.pointer(), x.size());
        return y;
    }

    @Override
    protected CudaTensor doReluBackward(CudaTensor x, CudaTensor gradY) {
        CudaTensor gradX = newTensor(x.shape(), "reluBackward");
        elementwise.reluBackward(x.pointer(), gradY.pointer(), gradX.pointer(), x.size());
        return gradX;
    }

    @Override
    protected CudaTensor doAdd(CudaTensor a, CudaTensor b) {
        CudaTensor c = newTensor(a.shape(), "add");
        elementwise.add(a.pointer(), b.pointer(), c.pointer(), a.size());
        return c;
    }

    @Override
    protected CudaTensor doMul(CudaTensor a, CudaTensor b) {
        CudaTensor c = newTensor(a.shape(), "mul");
        elementwise.mul(a.pointer(), b.pointer(), c.pointer(), a.size());
        return c;
    }

    @Override
    protected CudaTensor doScale(CudaTensor x, float alpha) {
        CudaTensor y = newTensor(x.shape(), "scale");
        elementwise.scale(x.pointer(), y.pointer(), alpha, x.size());
        return y;
    }

    @Override
    protected CudaTensor doSum(CudaTensor x) {
        if (x.size() == 0) {
            return allocateZeros(Shape.scalar());
        }
        CudaTensor out = newTensor(Shape.scalar(), "sum");
        int partials = ElementwiseLauncher.sumPartials(x.size());
        CUdeviceptr scratch = partials > 1 ? memory.allocate((long) partials * Float.BYTES, "sum partials") : null;
        try {
            elementwise.sum(x.pointer(), scratch, out.pointer(), x.size());
        } finally {
            if (scratch != null) {
                memory.release(scratch); // back to the cache: whatever reuses it is queued after the sum's kernels
            }
        }
        return out;
    }

    @Override
    protected void doAxpy(float alpha, CudaTensor x, CudaTensor y) {
        elementwise.axpy(alpha, x.pointer(), y.pointer(), x.size());
    }

    @Override
    protected void doSynchronize() {
        device.synchronize("synchronize");
    }

    /** CUDA events on the backend's stream around the work; see {@link Device#timeMillis}. */
    @Override
    protected OptionalDouble doDeviceMillis(Runnable work) {
        return device.timeMillis(work);
    }

    /**
     * After AbstractBackend closed every open tensor: waits for the stream, frees all device
     * memory (cached and live: afterwards driver frees equal driver allocations), then the
     * staging buffer, the stream, the kernels and the context.
     */
    @Override
    protected void doClose() {
        try {
            device.makeCurrent();
            for (CudaTensor t : new ArrayList<>(live)) {
                t.close(); // none is left unless a tensor escaped AbstractBackend's bookkeeping
            }
            if (cublas != null) {
                cublas.close();
            }
        } finally {
            try {
                memory.close();
            } finally {
                device.close();
            }
        }
    }

    /** The kernels of each launcher's module, for the tests that hold them to the .cu sources. */
    static List<String> kernelsOf(String module) {
        return switch (module) {
            case MatmulLauncher.MODULE -> MatmulLauncher.KERNELS;
            case Conv2dLauncher.MODULE -> Conv2dLauncher.KERNELS;
            case SoftmaxLauncher.MODULE -> SoftmaxLauncher.KERNELS;
            case ElementwiseLauncher.MODULE -> ElementwiseLauncher.KERNELS;
            default -> throw new IllegalArgumentException("no launcher for module " + module);
        };
    }

    /**
     * Which kernels ({@code module:kernel}) serve each Backend method; an empty list means a
     * driver copy, memset or stream wait does the work, or (memoryStats) host bookkeeping. A test checks it names every op of the interface
     * and only kernels that exist in the .cu files.
     */
    static final Map<String, List<String>> KERNELS_BY_OP = Map.ofEntries(
            Map.entry("upload", List.of()),
            Map.entry("zeros", List.of()),
            Map.entry("download", List.of()),
            Map.entry("reshape", List.of()),
            Map.entry("synchronize", List.of()),
            Map.entry("memoryStats", List.of()),
            Map.entry("deviceMillis", List.of()),
            // the warp-tiled kernels only when forced (MatmulLauncher.KERNEL_PROPERTY)
            Map.entry("matmul", MatmulLauncher.KERNELS.stream().map(kernel -> k(MatmulLauncher.MODULE, kernel)).toList()),
            // the _direct kernels for tiny filters (Conv2dLauncher.tinyFilter), the GEMMs otherwise
            Map.entry("conv2d", List.of(k(Conv2dLauncher.MODULE, Conv2dLauncher.FORWARD),
                    k(Conv2dLauncher.MODULE, Conv2dLauncher.FORWARD_WIDE), k(Conv2dLauncher.MODULE, Conv2dLauncher.FORWARD_DIRECT))),
            Map.entry("conv2dBackwardInput", List.of(k(Conv2dLauncher.MODULE, Conv2dLauncher.BACKWARD_INPUT),
                    k(Conv2dLauncher.MODULE, Conv2dLauncher.BACKWARD_INPUT_WIDE),
                    k(Conv2dLauncher.MODULE, Conv2dLauncher.BACKWARD_INPUT_DIRECT))),
            Map.entry("conv2dBackwardFilter", List.of(k(Conv2dLauncher.MODULE, Conv2dLauncher.BACKWARD_FILTER),
                    k(Conv2dLauncher.MODULE, Conv2dLauncher.BACKWARD_FILTER_WIDE),
                    k(Conv2dLauncher.MODULE, Conv2dLauncher.BACKWARD_FILTER_REDUCE),
                    k(Conv2dLauncher.MODULE, Conv2dLauncher.BACKWARD_FILTER_DIRECT),
                    k(Conv2dLauncher.MODULE, Conv2dLauncher.BACKWARD_FILTER_DIRECT_REDUCE))),
            // the fused kernel for rows of 1025 to 8192 columns, the block kernel beyond (and when forced)
            Map.entry("softmax", List.of(k(SoftmaxLauncher.MODULE, SoftmaxLauncher.FORWARD_WARP),
                    k(SoftmaxLauncher.MODULE, SoftmaxLauncher.FORWARD_FUSED), k(SoftmaxLauncher.MODULE, SoftmaxLauncher.FORWARD_BLOCK))),
            Map.entry("softmaxBackward", List.of(k(SoftmaxLauncher.MODULE, SoftmaxLauncher.BACKWARD_WARP),
                    k(SoftmaxLauncher.MODULE, SoftmaxLauncher.BACKWARD_BLOCK))),
            Map.entry("addBias", List.of(k(ElementwiseLauncher.MODULE, ElementwiseLauncher.ADD_BIAS))),
            Map.entry("sumToAxis", List.of(k(ElementwiseLauncher.MODULE, ElementwiseLauncher.SUM_TO_AXIS))),
            Map.entry("relu", List.of(k(ElementwiseLauncher.MODULE, ElementwiseLauncher.RELU_FORWARD))),
            Map.entry("reluBackward", List.of(k(ElementwiseLauncher.MODULE, ElementwiseLauncher.RELU_BACKWARD))),
            Map.entry("add", List.of(k(ElementwiseLauncher.MODULE, ElementwiseLauncher.ADD))),
            Map.entry("mul", List.of(k(ElementwiseLauncher.MODULE, ElementwiseLauncher.MUL))),
            Map.entry("scale", List.of(k(ElementwiseLauncher.MODULE, ElementwiseLauncher.SCALE))),
            Map.entry("sum", List.of(k(ElementwiseLauncher.MODULE, ElementwiseLauncher.SUM_BLOCKS))),
            Map.entry("axpy", List.of(k(ElementwiseLauncher.MODULE, ElementwiseLauncher.AXPY))),
            // the interface's default sgdUpdate is axpy(-learningRate, grad, param)
            Map.entry("sgdUpdate", List.of(k(ElementwiseLauncher.MODULE, ElementwiseLauncher.AXPY))));

    private static String k(String module, String kernel) {
        return module + ":" + kernel;
    }
}
