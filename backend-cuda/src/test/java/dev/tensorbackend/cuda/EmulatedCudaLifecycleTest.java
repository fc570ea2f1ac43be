package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tensorbackend.api.Shape;
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
}
