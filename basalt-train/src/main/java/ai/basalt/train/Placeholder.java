package ai.basalt.train; final class Placeholder { private Placeholder() {} }
