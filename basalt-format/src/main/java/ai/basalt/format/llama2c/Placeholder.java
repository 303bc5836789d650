package ai.basalt.format.llama2c; final class Placeholder { private Placeholder() {} }
