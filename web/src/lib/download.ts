// Saves a file the API answers (exports, templates) through the signed-in client.
export function saveBlob(data: Blob, name: string): void {
  const a = document.createElement('a')
  a.href = URL.createObjectURL(data)
  a.download = name
  a.click()
  URL.revokeObjectURL(a.href)
}
