package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.BackendException;
import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tensor;
import dev.tensorbackend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

/** A tensor of one backend handed to another is refused, naming the op, the operand and both backends. */
class MixedBackendsTest {

    @Test
    void aCpuTensorInACudaOpAndACudaTensorInACpuOpAreRefused() {
        try (Backend cuda = CudaBackend.on(EmulatedDevice.start(EmulatedDevice.assumeServer()));
             Backend cpu = new CpuBackend();
             Tensor onCuda = cuda.upload(Shape.of(2, 2), new float[] {1, 2, 3, 4});
             Tensor onCpu = cpu.upload(Shape.of(2, 2), new float[] {1, 2, 3, 4})) {
            BackendException e = assertThrows(BackendException.class, () -> cuda.matmul(onCuda, onCpu));
            assertEquals("matmul: b[2, 2] belongs to backend 'cpu', not to this 'cuda' backend; "
                    + "move it with download and upload first", e.getMessage());
            e = assertThrows(BackendException.class, () -> cpu.add(onCuda, onCpu));
            assertEquals("add: a[2, 2] belongs to backend 'cuda', not to this 'cpu' backend; "
                    + "move it with download and upload first", e.getMessage());
        }
    }
}
