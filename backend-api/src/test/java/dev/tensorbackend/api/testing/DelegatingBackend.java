package dev.tensorbackend.api.testing;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.ConvSpec;
import dev.tensorbackend.api.MemoryStats;
import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tensor;
import java.util.OptionalDouble;

/**
 * A backend that forwards every op to another; tests override one op to make it wrong (the
 * cross-check's and the shadow backend's tests plant their divergences this way).
 */
public class DelegatingBackend implements Backend {
    protected final Backend d;
    private final String name;

    public DelegatingBackend(String name, Backend delegate) {
        this.name = name;
        this.d = delegate;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Tensor upload(Shape shape, float[] data) {
        return d.upload(shape, data);
    }

    @Override
    public Tensor zeros(Shape shape) {
        return d.zeros(shape);
    }

    @Override
    public float[] download(Tensor t) {
        return d.download(t);
    }

    @Override
    public Tensor reshape(Tensor x, Shape shape) {
        return d.reshape(x, shape);
    }

    @Override
    public Tensor matmul(Tensor a, boolean transA, Tensor b, boolean transB) {
        return d.matmul(a, transA, b, transB);
    }

    @Override
    public Tensor conv2d(Tensor input, Tensor filter, ConvSpec spec) {
        return d.conv2d(input, filter, spec);
    }

    @Override
    public Tensor conv2dBackwardInput(Tensor gradOutput, Tensor filter, Shape inputShape, ConvSpec spec) {
        return d.conv2dBackwardInput(gradOutput, filter, inputShape, spec);
    }

    @Override
    public Tensor conv2dBackwardFilter(Tensor input, Tensor gradOutput, Shape filterShape, ConvSpec spec) {
        return d.conv2dBackwardFilter(input, gradOutput, filterShape, spec);
    }

    @Override
    public Tensor softmax(Tensor x) {
        return d.softmax(x);
    }

    @Override
    public Tensor softmaxBackward(Tensor y, Tensor gradY) {
        return d.softmaxBackward(y, gradY);
    }

    @Override
    public Tensor addBias(Tensor x, Tensor bias, int axis) {
        return d.addBias(x, bias, axis);
    }

    @Override
    public Tensor sumToAxis(Tensor x, int axis) {
        return d.sumToAxis(x, axis);
    }

    @Override
    public Tensor relu(Tensor x) {
        return d.relu(x);
    }

    @Override
    public Tensor reluBackward(Tensor x, Tensor gradY) {
        return d.reluBackward(x, gradY);
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        return d.add(a, b);
    }

    @Override
    public Tensor mul(Tensor a, Tensor b) {
        return d.mul(a, b);
    }

    @Override
    public Tensor scale(Tensor x, float alpha) {
        return d.scale(x, alpha);
    }

    @Override
    public Tensor sum(Tensor x) {
        return d.sum(x);
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        d.axpy(alpha, x, y);
    }

    @Override
    public MemoryStats memoryStats() {
        return d.memoryStats();
    }

    @Override
    public void synchronize() {
        d.synchronize();
    }

    @Override
    public OptionalDouble deviceMillis(Runnable work) {
        return d.deviceMillis(work);
    }

    @Override
    public void close() {
        d.close();
    }
}
