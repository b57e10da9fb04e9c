// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the Reflect metadata
// API loaded first: always import the library from here.
import 'reflect-metadata';
export * from '@peculiar/x509';
