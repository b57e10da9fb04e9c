// @peculiar/x509 behind its Reflect polyfill: always import the library from here.
import './reflect-metadata.ts';
export * from '@peculiar/x509';
