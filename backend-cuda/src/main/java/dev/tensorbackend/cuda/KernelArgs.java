package dev.tensorbackend.cuda;

import java.util.ArrayList;
import java.util.List;

import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * The arguments of one kernel launch, in the order of the kernel's C parameters. Each value
 * is kept with the parameter's name and C type so tests can check the packing without a GPU;
 * {@link #toKernelParams()} turns them into the pointer array cuLaunchKernel takes.
 */
final class KernelArgs {
    enum Type { POINTER, INT, FLOAT }

    record Arg(String name, Type type, Object value) {
    }

    private final List<Arg> args = new ArrayList<>();

    static KernelArgs create() {
        return new KernelArgs();
    }

    /** A device pointer; a zero-size tensor passes a null pointer, which its kernel never reads. */
    KernelArgs pointer(String name, CUdeviceptr p) {
        args.add(new Arg(name, Type.POINTER, p == null ? new CUdeviceptr() : p));
        return this;
    }

    KernelArgs intArg(String name, int value) {
        args.add(new Arg(name, Type.INT, value));
        return this;
    }

    KernelArgs intArg(String name, boolean value) {
        return intArg(name, value ? 1 : 0);
    }

    KernelArgs floatArg(String name, float value) {
        args.add(new Arg(name, Type.FLOAT, value));
        return this;
    }

    List<Arg> args() {
        return List.copyOf(args);
    }

    List<String> names() {
        return args.stream().map(Arg::name).toList();
    }

    /** The value of the named argument (tests read it back). */
    Object value(String name) {
        return args.stream().filter(a -> a.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no kernel argument " + name + " in " + names()))
                .value();
    }

    /** cuLaunchKernel's kernelParams: a pointer to each argument's value. */
    Pointer toKernelParams() {
        NativePointerObject[] params = new NativePointerObject[args.size()];
        for (int i = 0; i < params.length; i++) {
            Arg a = args.get(i);
            params[i] = switch (a.type()) {
                case POINTER -> Pointer.to((CUdeviceptr) a.value());
                case INT -> Pointer.to(new int[] {(Integer) a.value()});
                case FLOAT -> Pointer.to(new float[] {(Float) a.value()});
            };
        }
        return Pointer.to(params);
    }

    @Override
    public String toString() {
        return args.toString();
    }
}
