export * from './contract-fake.js'
export * from './probe-context.js'
export * from './provider-contract.js'
