package ai.basalt.nn; final class Placeholder { private Placeholder() {} }
