package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tensor;
import org.junit.jupiter.api.Test;

/** Memory and repeatability of CudaBackend on the emulated device (our kernels run on the CPU). */
class EmulatedCudaLifecycleTest extends CudaLifecycleChecks {
    @Override
    protected CudaBackend newCudaBackend() {
        return CudaBackend.on(EmulatedDevice.start(EmulatedDevice.assumeServer()));
    }

    @Test
    void theDeviceHoldsNoBlockAfterTheBackendIsClosed() {
        EmulatedDevice device = EmulatedDevice.start(EmulatedDevice.assumeServer());
        CudaBackend cuda = CudaBackend.on(device);
        cuda.upload(Shape.of(3), new float[3]).close();
        cuda.zeros(Shape.of(300_000));
        assertEquals(2, device.blocksHeld(), "one cached, one live");
        cuda.close();
        assertEquals(0, device.blocksHeld());
    }

    @Test
    void theEmulatedDeviceHasNoClockOfItsOwnSoDeviceMillisIsEmpty() {
        try (CudaBackend cuda = newCudaBackend()) {
            Tensor x = cuda.upload(Shape.of(3), new float[] {-1, 2, -3});
            Tensor[] y = new Tensor[1];
            assertTrue(cuda.deviceMillis(() -> y[0] = cuda.relu(x)).isEmpty());
            assertArrayEquals(new float[] {0, 2, 0}, y[0].toArray());
        }
    }
}
