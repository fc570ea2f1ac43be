package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;

import dev.tensorbackend.api.BackendException;
import jcuda.driver.CUdeviceptr;

/**
 * A {@link Device} whose memory and kernels live in a child process, kernel_server (built
 * from src/test/cuda-emulation by the test-compile step), which runs our .cu kernels on the
 * CPU. With it, {@link CudaBackend} itself, with its real launchers and the real kernel
 * source, runs the contract suite and the cross-check where there is no GPU. Launches are
 * synchronous; buffers start out NaN, so an element a kernel forgets to write shows (a block
 * the backend's allocator reuses holds the values of its last tensor instead).
 */
final class EmulatedDevice implements Device {
    private final Process process;
    private final OutputStream out;
    private final DataInputStream in;
    private final Map<CUdeviceptr, Integer> ids = new IdentityHashMap<>();
    private boolean closed;

    private EmulatedDevice(Process process) {
        this.process = process;
        this.out = new BufferedOutputStream(process.getOutputStream(), 1 << 16);
        this.in = new DataInputStream(new BufferedInputStream(process.getInputStream(), 1 << 16));
    }

    /** The kernel server the build made; the test is skipped, with the reason, when there is none. */
    static Path assumeServer() {
        String path = System.getProperty("kernel.server", "target/cuda-emulation/kernel_server");
        Path server = Path.of(path);
        assumeTrue(Files.isExecutable(server), () -> "kernel emulator not built at " + server
                + " (backend-cuda's Maven build makes it with g++, by src/test/cuda-emulation/run.sh)");
        return server;
    }

    static EmulatedDevice start(Path server) {
        try {
            return new EmulatedDevice(new ProcessBuilder(server.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- protocol ------------------------------------------------------------------------

    private static byte[] le(int bytes, java.util.function.Consumer<ByteBuffer> fill) {
        ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        fill.accept(b);
        return b.array();
    }

    private void send(byte[]... parts) {
        try {
            for (byte[] p : parts) {
                out.write(p);
            }
            out.flush();
        } catch (IOException e) {
            throw died(e);
        }
    }

    /** Reads the reply byte; an error reply becomes a BackendException. */
    private void expectOk(String request) {
        try {
            int status = in.read();
            if (status == 'K') {
                return;
            }
            if (status == 'E') {
                byte[] message = new byte[Integer.reverseBytes(in.readInt())];
                in.readFully(message);
                throw new BackendException("emulated device: " + request + ": " + new String(message, StandardCharsets.UTF_8));
            }
            throw died(null);
        } catch (IOException e) {
            throw died(e);
        }
    }

    private BackendException died(IOException e) {
        return new BackendException("emulated device: kernel_server stopped (see its message on stderr)"
                + (process.isAlive() ? "" : ", exit status " + process.exitValue()), e);
    }

    private int id(CUdeviceptr p) {
        Integer id = ids.get(p);
        return id == null ? 0 : id;
    }

    private int readIntLe() throws IOException {
        return Integer.reverseBytes(in.readInt());
    }

    // ---- Device --------------------------------------------------------------------------

    /** Blocks held by the server now: after the backend's close, none. */
    int blocksHeld() {
        return ids.size();
    }

    @Override
    public CUdeviceptr allocateRaw(long bytes) {
        long floats = (bytes + Float.BYTES - 1) / Float.BYTES;
        send(new byte[] {'A'}, le(8, b -> b.putLong(floats)));
        expectOk("allocate " + bytes + " bytes");
        try {
            CUdeviceptr p = new CUdeviceptr();
            ids.put(p, readIntLe());
            return p;
        } catch (IOException e) {
            throw died(e);
        }
    }

    @Override
    public void freeRaw(CUdeviceptr p) {
        Integer id = ids.remove(p);
        if (id == null) {
            throw new IllegalStateException("emulated device: freeing a block it does not hold (or twice)");
        }
        send(new byte[] {'F'}, le(4, b -> b.putInt(id)));
        expectOk("free");
    }

    @Override
    public void copyToDevice(CUdeviceptr dst, float[] src) {
        send(new byte[] {'W'}, le(12, b -> b.putInt(id(dst)).putLong(src.length)),
                le(src.length * Float.BYTES, b -> b.asFloatBuffer().put(src)));
        expectOk("copy to device");
    }

    @Override
    public void copyToHost(float[] dst, CUdeviceptr src, String what) {
        send(new byte[] {'R'}, le(12, b -> b.putInt(id(src)).putLong(dst.length)));
        expectOk(what);
        try {
            byte[] bytes = new byte[dst.length * Float.BYTES];
            in.readFully(bytes);
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(dst);
        } catch (IOException e) {
            throw died(e);
        }
    }

    @Override
    public void copyOnDevice(CUdeviceptr dst, CUdeviceptr src, long floats) {
        send(new byte[] {'C'}, le(16, b -> b.putInt(id(dst)).putInt(id(src)).putLong(floats)));
        expectOk("copy on device");
    }

    @Override
    public void fillWithZeros(CUdeviceptr p, long floats) {
        send(new byte[] {'Z'}, le(12, b -> b.putInt(id(p)).putLong(floats)));
        expectOk("zeros");
    }

    @Override
    public void launch(String module, String kernel, LaunchConfig c, KernelArgs args) {
        byte[] name = kernel.getBytes(StandardCharsets.US_ASCII);
        java.util.List<KernelArgs.Arg> list = args.args();
        send(new byte[] {'L'}, le(4, b -> b.putInt(name.length)), name,
                le(32, b -> b.putInt(c.gridX()).putInt(c.gridY()).putInt(c.gridZ())
                        .putInt(c.blockX()).putInt(c.blockY()).putInt(c.blockZ()).putInt(c.sharedBytes()).putInt(list.size())),
                le(list.size() * 5, b -> {
                    for (KernelArgs.Arg a : list) {
                        switch (a.type()) {
                            case POINTER -> b.put((byte) 'P').putInt(id((CUdeviceptr) a.value()));
                            case INT -> b.put((byte) 'I').putInt((Integer) a.value());
                            case FLOAT -> b.put((byte) 'F').putFloat((Float) a.value());
                        }
                    }
                }));
        expectOk("kernel " + module + ".cu:" + kernel + " " + c);
    }

    @Override
    public void synchronize(String op) {
        // every launch has finished when its reply arrives
    }

    @Override
    public void makeCurrent() {
        // one process, one device
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            send(new byte[] {'Q'});
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (BackendException e) {
            process.destroy();
        }
    }
}
